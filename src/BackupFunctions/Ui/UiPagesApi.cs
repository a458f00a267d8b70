using BackupFunctions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Ui;

/// <summary>
/// <c>/api/ui/</c>: the dashboard and configuration pages, served from files embedded in the assembly. Anonymous on
/// purpose: the pages hold no data; every API call they make carries the function key the operator types in.
/// </summary>
public sealed class UiPagesApi(UiAssets assets)
{
    [Function("GetUiPage")]
    public IActionResult Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "ui/{*path}")] HttpRequest request,
        string? path)
    {
        // /api/ui without the slash: the pages' relative links would resolve against /api/.
        if (string.IsNullOrEmpty(path) && !request.Path.Value!.EndsWith('/'))
            return new RedirectResult(request.PathBase + request.Path + "/", permanent: false);
        if (UiAssets.Refusal(path) is { } refusal)
            return ApiResults.BadRequest("path", refusal);
        return assets.Find(path) is { } asset ? new UiAssetResult(asset) : ApiResults.NotFound("Page", path!, "path");
    }
}
