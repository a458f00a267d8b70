using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Cancels jobs cooperatively: the request sets the job row's cancel flag (an ETag update, so it never lands on a job
/// that has just finished) and raises the orchestration's cancel event. The running step sees the flag within a
/// progress interval and stops; the orchestration then removes the partial objects and marks the job cancelled.
/// A job whose orchestration is missing or has ended is cancelled here directly, with the same cleanup.
/// </summary>
public sealed class JobCancellation(BackupCatalog catalog, BackupRunner runner, JobLogs logs, ILogger<JobCancellation> logger)
{
    public const string Reason = "Cancelled on request.";

    public async Task<JobCancelResult> RequestAsync(string jobId, IJobInstances instances, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(instances);
        var job = await catalog.Jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
            return new JobCancelResult(JobCancelOutcome.NotFound, null);
        if (job.IsFinished)
            return new JobCancelResult(JobCancelOutcome.AlreadyFinished, job);

        // Re-checked inside the update: a job that finished since the read above keeps its status.
        job = await catalog.Jobs.UpdateAsync(jobId, j => j.IsFinished ? j : j with { CancelRequested = true }, cancellationToken);
        if (job.IsFinished)
            return new JobCancelResult(JobCancelOutcome.AlreadyFinished, job);
        logger.LogInformation("Cancel of backup job {JobId} requested", jobId);
        await logs.WriteAsync(jobId, JobLogLevel.Warning, "Cancel requested", new { status = JobStatusWords.Of(job.Status) }, cancellationToken);

        if (await instances.GetStateAsync(jobId, cancellationToken) == JobInstanceState.Active)
        {
            await instances.RaiseCancelAsync(jobId, cancellationToken);
            return new JobCancelResult(JobCancelOutcome.Accepted, job);
        }

        // Nothing will finish this job: do it here. A job that started may have written objects; its plan comes from
        // the config as it is now (the run's own plan lived in the orchestration).
        await runner.FailJobAsync(new FailureInput(jobId, Reason, await PlanOfAsync(catalog, job, cancellationToken)) { Cancelled = true }, cancellationToken);
        return new JobCancelResult(JobCancelOutcome.Accepted, await catalog.Jobs.GetAsync(jobId, cancellationToken) ?? job);
    }

    /// <summary>
    /// The plan to clean up after a job whose orchestration is gone: null when it never started (nothing written) or
    /// its config was deleted (its destinations are unknown).
    /// </summary>
    internal static async Task<BackupPlan?> PlanOfAsync(BackupCatalog catalog, BackupJob job, CancellationToken cancellationToken)
    {
        if (job.StartedAt is not { } started)
            return null;
        var config = await catalog.Configs.GetAsync(job.ConfigId, cancellationToken);
        return config is null ? null : new BackupPlan(job.Id, job.Id, job.ConfigId, config.Config, started);
    }
}
