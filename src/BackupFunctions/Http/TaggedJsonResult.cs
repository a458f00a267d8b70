using Microsoft.AspNetCore.Mvc;

namespace BackupFunctions.Http;

/// <summary>A JSON answer with the API's settings and an <c>ETag</c> header (and a <c>Location</c> when given).</summary>
public sealed class TaggedJsonResult(object value, int status, string etag, string? location = null) : JsonResult(value, ApiJson.Options)
{
    public override Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        StatusCode = status;
        context.HttpContext.Response.Headers.ETag = etag;
        if (location is not null)
            context.HttpContext.Response.Headers.Location = location;
        return base.ExecuteResultAsync(context);
    }
}
