using BackupFunctions.Core.Health;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-health</c>: overall and per-config health (last success, failures, averages, storage usage, open alerts).</summary>
public sealed class BackupHealthApi(HealthReader reader)
{
    [Function("GetBackupHealth")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-health")] HttpRequest request,
        CancellationToken cancellationToken)
        => ApiResults.Ok(await reader.ReadAsync(cancellationToken));
}
