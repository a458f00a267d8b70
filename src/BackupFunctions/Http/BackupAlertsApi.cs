using BackupFunctions.Core.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-alerts</c>: what an operator must look at (failed copies, failed verifications, …).</summary>
public sealed class BackupAlertsApi(BackupCatalog catalog)
{
    [Function("ListBackupAlerts")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-alerts")] HttpRequest request,
        CancellationToken cancellationToken)
        => PagedListing.ListAsync(request, catalog.ListAlertsAsync, cancellationToken);
}
