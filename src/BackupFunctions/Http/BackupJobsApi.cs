using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Durable;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Http;

/// <summary><c>/api/backup-jobs</c>: the runs — list, status and progress of one, cancel, and its log.</summary>
public sealed class BackupJobsApi(BackupCatalog catalog, JobCancellation cancellation, JobLogs logs)
{
    /// <summary>Jobs newest first, paged; <c>?configId=</c> and <c>?status=</c> filter.</summary>
    [Function("ListBackupJobs")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        string? configId = request.Query.TryGetValue("configId", out var c) && !string.IsNullOrEmpty(c) ? c.ToString() : null;
        JobStatus? status = null;
        if (request.Query.TryGetValue("status", out var s))
        {
            if (!JobStatusWords.TryParse(s.ToString(), out var parsed))
                return Task.FromResult(ApiResults.BadRequest("status", $"status '{s}' is not one of {string.Join(", ", JobStatusWords.All)}."));
            status = parsed;
        }
        if (configId is not null && !Ids.IsWellFormed(configId))
            return Task.FromResult(ApiResults.BadRequest("configId", $"'{configId}' is not a config id."));
        return PagedListing.ListAsync(request, (size, token, ct) => catalog.Jobs.ListAsync(size, token, configId, status, ct), cancellationToken);
    }

    [Function("GetBackupJob")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-jobs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var job = Ids.IsWellFormed(id) ? await catalog.Jobs.GetAsync(id, cancellationToken) : null;
        if (job is null)
            return ApiResults.NotFound("Backup job", id);
        // Jobs recorded before the result was kept on them: their backup's row, while it exists, has it.
        if (job.Result is null && job.BackupId is { } backupId && await catalog.Backups.GetAsync(backupId, cancellationToken) is { } backup)
            job = job with { Result = BackupResult.Of(backup, job.DurationSeconds) };
        return ApiResults.Ok(job);
    }

    /// <summary>
    /// 202 with the job: a pending or running job stops within seconds and ends <c>cancelled</c>, its partial objects
    /// removed from every destination. 409 for a job that has already ended; 404 for an unknown one.
    /// </summary>
    [Function("CancelBackupJob")]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "backup-jobs/{id}/cancel")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Backup job", id);
        var result = await cancellation.RequestAsync(id, new DurableJobInstances(client), cancellationToken);
        return result.Outcome switch
        {
            JobCancelOutcome.Accepted => ApiResults.Accepted($"/api/backup-jobs/{id}", result.Job!),
            JobCancelOutcome.AlreadyFinished => ApiResults.Conflict("The job has already ended.",
                $"Backup job {id} is {JobStatusWords.Of(result.Job!.Status)}; only a pending or running job can be cancelled."),
            _ => ApiResults.NotFound("Backup job", id),
        };
    }

    /// <summary>The job's log, oldest first, paged.</summary>
    [Function("ListBackupJobLogs")]
    public async Task<IActionResult> Logs(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "backup-jobs/{id}/logs")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id) || await catalog.Jobs.GetAsync(id, cancellationToken) is null)
            return ApiResults.NotFound("Backup job", id);
        return await PagedListing.ListAsync(request, (size, token, ct) => logs.ListAsync(id, size, token, ct), cancellationToken);
    }
}
