using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace BackupFunctions.Ui;

/// <summary>
/// Writes an asset with its validators and the pages' security headers; <c>304</c> when the browser's copy is current.
/// </summary>
public sealed class UiAssetResult(UiAsset asset) : IActionResult
{
    /// <summary>
    /// Scripts and styles only from the app itself, no inline script, API calls only to the same origin, and no framing:
    /// the function key sits in session storage, so nothing foreign may run in or frame these pages.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var request = context.HttpContext.Request;
        var response = context.HttpContext.Response;
        var headers = response.Headers;
        // no-cache = revalidate every time (a new deployment shows at once); the ETag makes that a cheap 304.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;

        // If-None-Match compares weakly (RFC 9110 13.1.2): a W/ tag of the same value matches too.
        var current = new EntityTagHeaderValue(asset.ETag);
        if (request.GetTypedHeaders().IfNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(current, useStrongComparison: false)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(request.Method))
            await response.Body.WriteAsync(asset.Content, context.HttpContext.RequestAborted);
    }
}
