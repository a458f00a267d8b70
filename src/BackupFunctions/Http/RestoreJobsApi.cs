using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Restores;
using BackupFunctions.Durable;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Http;

/// <summary><c>/api/restore-jobs</c>: the restores — list, status and progress of one, cancel, and its log.</summary>
public sealed class RestoreJobsApi(BackupCatalog catalog, RestoreLauncher launcher, JobLogs logs)
{
    /// <summary>Restore jobs newest first, paged; <c>?configId=</c> and <c>?status=</c> filter.</summary>
    [Function("ListRestoreJobs")]
    public Task<IActionResult> List(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "restore-jobs")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        string? configId = request.Query.TryGetValue("configId", out var c) && !string.IsNullOrEmpty(c) ? c.ToString() : null;
        RestoreJobStatus? status = null;
        if (request.Query.TryGetValue("status", out var s))
        {
            if (!RestoreJobStatusWords.TryParse(s.ToString(), out var parsed))
                return Task.FromResult(ApiResults.BadRequest("status", $"status '{s}' is not one of {string.Join(", ", RestoreJobStatusWords.All)}."));
            status = parsed;
        }
        if (configId is not null && !Ids.IsWellFormed(configId))
            return Task.FromResult(ApiResults.BadRequest("configId", $"'{configId}' is not a config id."));
        return PagedListing.ListAsync(request, (size, token, ct) => catalog.RestoreJobs.ListAsync(size, token, configId, status, ct), cancellationToken);
    }

    [Function("GetRestoreJob")]
    public async Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "restore-jobs/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var job = Ids.IsWellFormed(id) ? await catalog.RestoreJobs.GetAsync(id, cancellationToken) : null;
        return job is null ? ApiResults.NotFound("Restore job", id) : ApiResults.Ok(job);
    }

    /// <summary>
    /// 202 with the job: a pending or running restore stops — before the live site was touched it ends
    /// <c>cancelled</c> with nothing changed, after that <c>rolled_back</c>. 409 for a job that has ended; 404 for an unknown one.
    /// </summary>
    [Function("CancelRestoreJob")]
    public async Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "restore-jobs/{id}/cancel")] HttpRequest request,
        [DurableClient] DurableTaskClient client,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id))
            return ApiResults.NotFound("Restore job", id);
        var result = await launcher.CancelAsync(id, new DurableRestoreStarter(client), cancellationToken);
        return result.Outcome switch
        {
            JobCancelOutcome.Accepted => ApiResults.Accepted($"/api/restore-jobs/{id}", result.Job!),
            JobCancelOutcome.AlreadyFinished => ApiResults.Conflict("The restore job has already ended.",
                $"Restore job {id} is {RestoreJobStatusWords.Of(result.Job!.Status)}; only a pending or running restore can be cancelled."),
            _ => ApiResults.NotFound("Restore job", id),
        };
    }

    /// <summary>The restore job's log, oldest first, paged.</summary>
    [Function("ListRestoreJobLogs")]
    public async Task<IActionResult> Logs(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "restore-jobs/{id}/logs")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        if (!Ids.IsWellFormed(id) || await catalog.RestoreJobs.GetAsync(id, cancellationToken) is null)
            return ApiResults.NotFound("Restore job", id);
        return await PagedListing.ListAsync(request, (size, token, ct) => logs.ListAsync(id, size, token, ct), cancellationToken);
    }
}
