using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace BackupFunctions.Http;

/// <summary>The shared shape of the list endpoints: read the paging query, list one page, refuse a bad token with 400.</summary>
public static class PagedListing
{
    public static async Task<IActionResult> ListAsync<T>(
        HttpRequest request,
        Func<int, string?, CancellationToken, Task<T>> listPage,
        CancellationToken cancellationToken)
        where T : notnull
    {
        var (query, errors) = PageQuery.Read(request);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        try
        {
            return ApiResults.Ok(await listPage(query!.PageSize, query.ContinuationToken, cancellationToken));
        }
        catch (Exception e) when (e is ArgumentException { ParamName: "continuationToken" } or RequestFailedException { Status: 400 })
        {
            return ApiResults.BadRequest("continuationToken", "The continuation token is not valid; use the one from the previous page.");
        }
    }
}
