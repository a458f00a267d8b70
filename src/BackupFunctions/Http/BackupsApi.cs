using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Downloads;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Verification;
using BackupFunctions.Durable;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Http;

/// <summary><c>/api/backups</c>: start a backup now, and the catalog of completed backups.</summary>
public sealed class BackupsApi(BackupCatalog catalog, BackupLauncher launcher, RetentionCleaner cleaner, BackupDownloader downloader)
{
    /// <summary>
    /// Starts a backup of <c>configId</c> now: 202 with the job id; 404 for an unknown config; 409 while the config
    /// already has <c>maxConcurrent</c> jobs pending or running.
    /// </summary>
    [Function("StartBackup")]
    public async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backups")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        var (createdBy, callerErrors) = Callers.Read(request);
        if (callerErrors is not null)
            return ApiResults.BadRequest(callerErrors);
        var (body, errors) = await JsonBody.ReadAsync<StartBackupBody>(request, cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        if (!Ids.IsWellFormed(body!.ConfigId))
            return ApiResults.NotFound("Backup config", body.ConfigId, "configId");

        var start = await launcher.StartNowAsync(body.ConfigId, createdBy!, new DurableBackupStarter(client), cancellationToken);
        return start switch
        {
            { Job: { } job } => ApiResults.Accepted($"/api/backup-jobs/{job.Id}", new BackupStarted(job.Id)),
            { Outcome: ManualStartOutcome.AtConcurrencyLimit } => ApiResults.Conflict("The config is at its maxConcurrent limit.", start.Reason ?? ""),
            { Outcome: ManualStartOutcome.RestoreRunning } => ApiResults.Conflict("A restore of the config is running.", start.Reason ?? ""),
            _ => ApiResults.NotFound("Backup config", body.ConfigId, "configId"),
        };
    }

    /// <summary>
    /// Backups newest first, paged, filtered by <see cref="BackupListQuery"/> (a config alone: its restore points), with
    /// <c>totalCount</c> from the counter rows.
    /// </summary>
    [Function("ListBackups")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backups")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var (filter, errors) = BackupListQuery.Read(request);
        if (errors is not null)
            return Task.FromResult(ApiResults.BadRequest(errors));
        return PagedListing.ListAsync(request, async (size, token, ct) =>
        {
            var count = catalog.Backups.CountAsync(filter!, ct);
            var page = await catalog.Backups.ListAsync(filter!, size, token, ct);
            return new BackupListPage(page.Items, page.ContinuationToken, await count);
        }, cancellationToken);
    }

    /// <summary>Retries the backup's failed copies (202); the backup's row shows each copy's status as it goes.</summary>
    [Function("RetryBackupCopies")]
    public async Task<IActionResult> Replicate(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backups/{id}/replicate")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var backup = Ids.IsWellFormed(id) ? await catalog.Backups.GetAsync(id, cancellationToken) : null;
        if (backup is null)
            return ApiResults.NotFound("Backup", id);
        if (backup.Status == BackupStatuses.Deleting)
            return ApiResults.Conflict("The backup is being removed.", $"Retention is removing backup {id}; it is no longer a restore point.");
        var failed = backup.Locations.Where(l => l.Status == "failed").Select(l => l.Location).ToList();
        if (failed.Count == 0)
            return ApiResults.Ok(new CopyRetryAnswer(id, failed) { Message = "Every copy of this backup exists; nothing to retry." });
        // One retry per backup at a time: the instance id is fixed while one runs.
        var instanceId = $"copy-retry-{id}";
        var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (existing is null || existing.IsCompleted)
        {
            await client.ScheduleNewOrchestrationInstanceAsync(FunctionNames.CopyRetryOrchestrator, id,
                new StartOrchestrationOptions(instanceId), cancellationToken);
        }
        return ApiResults.Accepted($"/api/backups/{id}", new CopyRetryAnswer(id, failed));
    }

    /// <summary>
    /// Verifies the backup's copies — all, or the one at <c>location</c> — at <c>level</c> quick or deep (default);
    /// 202 at once, the outcome lands in the backup's row (each location's <c>lastVerification</c>, the status) and, for
    /// a failed copy, in a verification_failed alert. One verification per backup at a time (409 while one runs).
    /// </summary>
    [Function("VerifyBackup")]
    public async Task<IActionResult> Verify(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backups/{id}/verify")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        var (body, errors) = await JsonBody.ReadAsync(request, new VerifyBackupBody(), cancellationToken);
        if (errors is not null)
            return ApiResults.BadRequest(errors);
        var backup = Ids.IsWellFormed(id) ? await catalog.Backups.GetAsync(id, cancellationToken) : null;
        if (backup is null)
            return ApiResults.NotFound("Backup", id);
        if (backup.Status == BackupStatuses.Deleting)
            return ApiResults.Conflict("The backup is being removed.", $"Retention is removing backup {id}; it is no longer a restore point.");
        if (!VerificationRequest.IsLevel(body!.Level))
            return ApiResults.BadRequest("level", $"The level is {QuickVerifier.Level} or {DeepVerifier.Level}.");

        List<int> copies;
        if (body.Location is { } index)
        {
            var location = backup.Locations.FirstOrDefault(l => l.Index == index);
            if (location is null)
                return ApiResults.BadRequest("location", $"Backup {id} has copies {string.Join(", ", backup.Locations.Select(l => l.Index))} (0 is the primary).");
            if (!BackupVerifications.CanVerify(location))
            {
                return ApiResults.BadRequest("location", location.Status == "failed"
                    ? $"Copy {index} of backup {id} was never made ({location.Error}); retry it with POST /api/backups/{id}/replicate."
                    : $"Copy {index} of backup {id} was recorded without its destination and cannot be verified.");
            }
            copies = [index];
        }
        else
        {
            copies = [.. backup.Locations.Where(BackupVerifications.CanVerify).Select(l => l.Index)];
            if (copies.Count == 0)
                return ApiResults.BadRequest("location", $"Backup {id} has no copy that can be verified.");
        }

        var verification = new VerificationRequest(id, body.Level, copies);
        if (!await DurableVerificationStarter.TryStartAsync(client, verification, cancellationToken))
            return ApiResults.Conflict("A verification is running.", $"A verification of backup {id} is still running; ask again when it has finished.");
        return ApiResults.Accepted($"/api/backups/{id}", new VerificationStarted(id, body.Level, copies));
    }

    /// <summary>
    /// Deletes the backup from every destination (manifest first) and then its row: 204. 409 with <c>reason</c>
    /// (<see cref="BackupDeletion"/> rules) when it is locked, still needed by another backup or a running one, being
    /// restored, or the newest successful backup of its config (<c>?force=true</c> overrides that rule only); 503 when
    /// a destination failed part-way (the backup stays <c>deleting</c>; asking again, or the next retention run, finishes it).
    /// </summary>
    [Function("DeleteBackup")]
    public async Task<IActionResult> Delete(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "backups/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var force = false;
        if (request.Query.TryGetValue("force", out var f) && !bool.TryParse(f.ToString(), out force))
            return ApiResults.BadRequest("force", "force is true or false.");
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup", id);
        var deletion = await cleaner.DeleteAsync(id, force, cancellationToken);
        return deletion.Outcome switch
        {
            BackupDeletionOutcome.Removed => new NoContentResult(),
            BackupDeletionOutcome.Refused => ApiResults.Conflict(RefusalTitle(deletion.Rule), deletion.Reason!, deletion.Rule!),
            BackupDeletionOutcome.Locked => ApiResults.Conflict("The backup is locked.", $"A destination refused the delete: {deletion.Reason}.", BackupDeletion.LockedRule),
            BackupDeletionOutcome.Failed => ApiResults.Unavailable("A destination failed.",
                $"Backup {id} is being removed but a destination failed ({deletion.Reason}); it is no longer a restore point. Ask again, or the next retention run finishes it."),
            _ => ApiResults.NotFound("Backup", id),
        };
    }

    private static string RefusalTitle(string? rule) => rule switch
    {
        BackupDeletion.LockedRule => "The backup is locked.",
        BackupDeletion.ReferencedRule => "Another backup needs this one.",
        BackupDeletion.NewestRule => "The backup is the newest of its config.",
        BackupDeletion.RestoringRule => "The backup is being restored.",
        _ => "The backup cannot be deleted.",
    };

    /// <summary>
    /// Streams the backup as one tar (<see cref="DownloadResult"/>): <c>database.dump</c> (pg_dump custom format) and the
    /// site under <c>files/</c>, decrypted and checked as it streams; with <c>?format=stored</c> the stored objects as
    /// they are (encrypted), restorable by <c>backupctl</c> once untarred. 404 for an unknown backup; 409 when it is
    /// being deleted or has no readable copy, or its manifest or index is damaged (found before anything is sent).
    /// </summary>
    [Function("DownloadBackup")]
    public async Task<IActionResult> Download(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backups/{id}/download")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var format = request.Query.TryGetValue("format", out var f) ? f.ToString() : "tar";
        if (format is not ("tar" or "stored"))
            return ApiResults.BadRequest("format", "format is tar (the database dump and the site files, decrypted) or stored (the stored objects as they are).");
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup", id);
        DownloadStart start;
        try
        {
            start = await downloader.OpenAsync(id, format == "stored", cancellationToken);
        }
        catch (IntegrityException e)
        {
            return ApiResults.Conflict("The backup is damaged.", $"Backup {id} cannot be downloaded: {e.Message}", "damaged");
        }
        return start switch
        {
            { Download: { } download } => new DownloadResult(download, id),
            { Found: false } => ApiResults.NotFound("Backup", id),
            _ => ApiResults.Conflict("The backup cannot be downloaded.", start.Refusal!),
        };
    }

    [Function("GetBackup")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backups/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var backup = Ids.IsWellFormed(id) ? await catalog.Backups.GetAsync(id, cancellationToken) : null;
        return backup is null ? ApiResults.NotFound("Backup", id) : ApiResults.Ok(backup);
    }
}
