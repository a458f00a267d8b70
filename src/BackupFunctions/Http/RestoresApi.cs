using BackupFunctions.Core.Restores;
using BackupFunctions.Durable;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Http;

/// <summary>
/// Starting restores: of one backup (<c>POST /api/backups/{id}/restore</c>) or of a config at a point in time
/// (<c>POST /api/backup-configs/{id}/restore</c>). The checks, the preview and the start are
/// <see cref="RestoreLauncher"/>'s; these bind the request and map its answer.
/// </summary>
public sealed class RestoresApi(RestoreLauncher launcher)
{
    /// <summary>
    /// 202 with <c>{restoreJobId, backupId}</c> and the job's Location; with <c>dryRun</c> 200 with the preview. 400 naming
    /// each bad field, 404 for an unknown backup, 409 for a backup that is no restore point or a config that is busy.
    /// </summary>
    [Function("RestoreBackup")]
    public async Task<IActionResult> Restore(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backups/{id}/restore")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var (options, errors) = await JsonBody.ReadAsync(request, new RestoreOptions(), cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup", id);
        var result = await launcher.StartAsync(id, options!, new DurableRestoreStarter(client), cancellationToken);
        return Answer(result, "Backup", id);
    }

    /// <summary>
    /// Restores the newest successful backup of the config made at or before <c>pointInTime</c>; the answer names the
    /// backup chosen. 404 when the config is unknown or has no such backup.
    /// </summary>
    [Function("RestoreBackupConfig")]
    public async Task<IActionResult> RestoreAt(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-configs/{id}/restore")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, errors) = await JsonBody.ReadAsync<PointInTimeRestoreBody>(request, cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup config", id);
        var result = await launcher.StartAtAsync(id, body!.PointInTime, body.ToOptions(), new DurableRestoreStarter(client), cancellationToken);
        return Answer(result, "Backup config", id);
    }

    private static IActionResult Answer(RestoreStartResult result, string what, string id) => result.Outcome switch
    {
        RestoreStartOutcome.Started => ApiResults.Accepted($"/api/restore-jobs/{result.Job!.Id}", new RestoreStarted(result.Job.Id, result.BackupId!)),
        RestoreStartOutcome.Previewed => ApiResults.Ok(result.Preview!),
        RestoreStartOutcome.Invalid => ApiResults.BadRequest(result.Errors!),
        RestoreStartOutcome.Conflict => ApiResults.Conflict("The backup cannot be restored now.", result.Reason ?? ""),
        _ when result.BackupId is null && result.Reason is { } reason => ApiResults.NotFoundBecause("Nothing to restore.", reason),
        _ => ApiResults.NotFound(what, id),
    };
}
