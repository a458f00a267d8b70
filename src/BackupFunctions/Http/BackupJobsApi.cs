using BackupFunctions.Core.Catalog;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-jobs/{id}</c>: status and progress of a run.</summary>
public sealed class BackupJobsApi(BackupCatalog catalog)
{
    [Function("GetBackupJob")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-jobs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var job = Ids.IsWellFormed(id) ? await catalog.GetJobAsync(id, cancellationToken) : null;
        return job is null ? ApiResults.NotFound("Backup job", id) : ApiResults.Ok(job);
    }
}
