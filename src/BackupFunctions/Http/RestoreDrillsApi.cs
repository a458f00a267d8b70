using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Restores.Drills;
using BackupFunctions.Durable;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Http;

/// <summary><c>POST /api/backup-configs/{id}/restore-drill</c> runs a drill now; <c>/api/restore-drills/{id}</c> shows it.</summary>
public sealed class RestoreDrillsApi(BackupCatalog catalog, RestoreDrillLauncher launcher)
{
    [Function("StartRestoreDrill")]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-configs/{id}/restore-drill")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup config", id);
        var result = await launcher.StartNowAsync(id, new DurableRestoreDrillStarter(client), cancellationToken);
        return result.Outcome switch
        {
            DrillStartOutcome.Started => ApiResults.Accepted($"/api/restore-drills/{result.Drill!.Id}",
                new RestoreDrillStarted(result.Drill.Id, id, result.Drill.Status)),
            DrillStartOutcome.ConfigNotFound => ApiResults.NotFound("Backup config", id),
            DrillStartOutcome.NoBackup => ApiResults.Conflict("Nothing to drill.", result.Reason!),
            _ => ApiResults.Conflict("A restore drill of this config is running.", result.Reason!),
        };
    }

    /// <summary>
    /// Stops a drill between steps (a step in flight finishes first); its scratch targets are removed and it ends
    /// <c>cancelled</c>, without an alert.
    /// </summary>
    [Function("CancelRestoreDrill")]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "restore-drills/{id}/cancel")] HttpRequest request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var drill = Ids.IsWellFormed(id) ? await catalog.RestoreDrills.GetAsync(id, cancellationToken) : null;
        if (drill is null)
            return ApiResults.NotFound("Restore drill", id);
        if (drill.IsFinished)
            return ApiResults.Conflict("The restore drill has ended.", $"Restore drill {id} is {drill.Status}; there is nothing to cancel.");
        await client.RaiseEventAsync(id, Orchestrations.RestoreDrillOrchestrator.CancelEvent, "Cancelled on request.", cancellationToken);
        return ApiResults.Accepted($"/api/restore-drills/{id}", drill);
    }

    [Function("GetRestoreDrill")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "restore-drills/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var drill = Ids.IsWellFormed(id) ? await catalog.RestoreDrills.GetAsync(id, cancellationToken) : null;
        return drill is null ? ApiResults.NotFound("Restore drill", id) : ApiResults.Ok(drill);
    }
}
