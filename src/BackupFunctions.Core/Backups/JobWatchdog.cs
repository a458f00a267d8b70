using System.Globalization;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Finds orphaned jobs — pending or running, but with nothing left to move them — and fails them with the reason,
/// removing their partial objects like any failure. It sets the job's cancel flag before anything else, so that a
/// step of the job still running somewhere cannot commit the backup afterwards (see <see cref="CommitGuard"/>).
/// A timer runs it every few minutes. Restore jobs are watched by the same rule (<see cref="RunRestoresAsync"/>), and
/// restore drills whose orchestration is gone (<see cref="RunDrillsAsync"/>).
/// </summary>
public sealed class JobWatchdog(
    BackupCatalog catalog, BackupRunner runner, JobLogs logs, TimeProvider time, JobOptions options, ILogger<JobWatchdog> logger,
    Restores.RestoreJobRunner? restores = null, Restores.Drills.RestoreDrillRunner? drills = null)
{
    /// <summary>
    /// How long a job may be without a live orchestration before it counts as orphaned: the launcher needs a moment
    /// between writing the row and starting the orchestration, and an orchestration ends a moment after its last write.
    /// </summary>
    public static readonly TimeSpan Grace = BackupLauncher.OrphanedAfter;

    /// <summary>
    /// Why <paramref name="job"/> is orphaned, or null when it is not. Pure: the job's row, its orchestration's state
    /// and the time decide. Idle time counts from the row's last update (progress writes and heartbeats count).
    /// </summary>
    public static string? OrphanReason(BackupJob job, JobInstanceState instance, DateTimeOffset now, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.IsFinished)
            return null;
        return OrphanReason("job", JobStatusWords.Of(job.Status), job.Status == JobStatus.Running,
            now - (job.LastUpdatedAt ?? job.StartedAt ?? job.CreatedAt), instance, staleAfter);
    }

    /// <summary>The same rule for a restore job.</summary>
    public static string? OrphanReason(RestoreJob job, JobInstanceState instance, DateTimeOffset now, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job.IsFinished)
            return null;
        return OrphanReason("job", RestoreJobStatusWords.Of(job.Status), job.Status == RestoreJobStatus.Running,
            now - (job.LastUpdatedAt ?? job.StartedAt ?? job.CreatedAt), instance, staleAfter);
    }

    /// <summary>
    /// The same rule for a restore drill, but only once its orchestration has ended or is gone: a drill's steps write
    /// no heartbeat (its restore step may run for hours without touching the row), so a drill whose orchestration is
    /// still active is never judged by its idle time.
    /// </summary>
    public static string? OrphanReason(RestoreDrill drill, JobInstanceState instance, DateTimeOffset now, TimeSpan staleAfter)
    {
        ArgumentNullException.ThrowIfNull(drill);
        if (drill.IsFinished || instance == JobInstanceState.Active)
            return null;
        return OrphanReason("drill", drill.Status, drill.Status == RestoreDrillStatuses.Running,
            now - (drill.LastUpdatedAt ?? drill.StartedAt ?? drill.CreatedAt), instance, staleAfter);
    }

    private static string? OrphanReason(string what, string status, bool running, TimeSpan idle, JobInstanceState instance, TimeSpan staleAfter)
    {
        return instance switch
        {
            JobInstanceState.Ended when idle >= Grace =>
                $"Watchdog: the {what}'s orchestration ended while the {what} was still {status} (a step crashed or the run was stopped).",
            JobInstanceState.Missing when running && idle >= Grace =>
                $"Watchdog: the {what}'s orchestration no longer exists while the {what} was running.",
            JobInstanceState.Missing when idle >= staleAfter =>
                $"Watchdog: the {what} was never started (no orchestration for {Minutes(idle)} minutes).",
            JobInstanceState.Active when idle >= staleAfter =>
                $"Watchdog: no progress for {Minutes(idle)} minutes while {status} (limit {Minutes(staleAfter)}): a step hung or its worker died; the run was stopped.",
            _ => null,
        };
    }

    /// <summary>Checks every pending and running job, restore job and restore drill; ends the orphaned ones. Returns their ids.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(IJobInstances instances, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var candidates = new List<BackupJob>();
        foreach (var status in new[] { JobStatus.Pending, JobStatus.Running })
        {
            string? token = null;
            do
            {
                var page = await catalog.Jobs.ListAsync(BackupCatalog.MaxPageSize, token, null, status, cancellationToken);
                candidates.AddRange(page.Items);
                token = page.ContinuationToken;
            }
            while (token is not null);
        }

        var failed = new List<string>();
        foreach (var candidate in candidates)
        {
            var state = await instances.GetStateAsync(candidate.Id, cancellationToken);
            // Read again after asking the orchestration: a job that finished in between is not an orphan.
            var job = await catalog.Jobs.GetAsync(candidate.Id, cancellationToken);
            if (job is null || OrphanReason(job, state, time.GetUtcNow(), options.StaleAfter) is not { } reason)
                continue;

            // The cancel flag first, before anything else happens to the job: a step of it still running (its
            // orchestration may be gone or terminated, its activity is not) sees the flag within a progress interval
            // and stops, and the manifest and record steps refuse to commit a job that carries it. A job that has
            // ended since the read above is left alone.
            var cancelAskedBefore = job.CancelRequested;
            job = await catalog.Jobs.UpdateAsync(job.Id, j => j.IsFinished ? j : j with { CancelRequested = true }, cancellationToken);
            if (job.IsFinished)
                continue;

            logger.LogError("Backup job {JobId} is orphaned: {Reason}", job.Id, reason);
            await logs.WriteAsync(job.Id, JobLogLevel.Error, "Watchdog: job orphaned", new { reason, orchestration = state.ToString().ToLowerInvariant() }, cancellationToken);
            if (state == JobInstanceState.Active)
            {
                // A hung run must not wake up later and write into a backup that is being removed.
                await instances.TerminateAsync(job.Id, reason, cancellationToken);
            }
            // Failed, with the watchdog's reason; cancelled only when someone had asked for that before.
            await runner.FailJobAsync(new FailureInput(job.Id, reason, await JobCancellation.PlanOfAsync(catalog, job, cancellationToken))
            {
                Cancelled = cancelAskedBefore,
            }, cancellationToken);
            failed.Add(job.Id);
        }
        if (restores is not null)
            failed.AddRange(await RunRestoresAsync(restores, instances, cancellationToken));
        if (drills is not null)
            failed.AddRange(await RunDrillsAsync(drills, instances, cancellationToken));
        if (failed.Count > 0)
            logger.LogWarning("Watchdog failed {Count} orphaned jobs", failed.Count);
        return failed;
    }

    /// <summary>
    /// Restore jobs pending or running with nothing left to move them: the cancel flag first (a step still running
    /// somewhere stops), a hung orchestration terminated, then the job ended by <see cref="Restores.RestoreJobRunner.AbandonAsync"/>
    /// (its files put back from their journal; a database it may have replaced is named in a critical alert).
    /// </summary>
    private async Task<IReadOnlyList<string>> RunRestoresAsync(Restores.RestoreJobRunner restoreRunner, IJobInstances instances, CancellationToken cancellationToken)
    {
        var candidates = new List<RestoreJob>();
        await foreach (var active in catalog.RestoreJobs.ActiveAsync(null, cancellationToken))
            candidates.Add(active);

        var failed = new List<string>();
        foreach (var candidate in candidates)
        {
            var state = await instances.GetStateAsync(candidate.Id, cancellationToken);
            var job = await catalog.RestoreJobs.GetAsync(candidate.Id, cancellationToken);
            if (job is null || OrphanReason(job, state, time.GetUtcNow(), options.StaleAfter) is not { } reason)
                continue;
            var cancelAskedBefore = job.CancelRequested;
            job = await catalog.RestoreJobs.UpdateAsync(job.Id, j => j.IsFinished ? j : j with { CancelRequested = true }, cancellationToken);
            if (job.IsFinished)
                continue;
            logger.LogError("Restore job {JobId} is orphaned: {Reason}", job.Id, reason);
            await logs.WriteAsync(job.Id, JobLogLevel.Error, "Watchdog: job orphaned", new { reason, orchestration = state.ToString().ToLowerInvariant() }, cancellationToken);
            if (state == JobInstanceState.Active)
                await instances.TerminateAsync(job.Id, reason, cancellationToken);
            await restoreRunner.AbandonAsync(job, reason, cancelAskedBefore, cancellationToken);
            failed.Add(job.Id);
        }
        return failed;
    }

    /// <summary>
    /// Restore drills pending or running whose orchestration ended or is gone (its drill id is its instance id): ended
    /// by <see cref="Restores.Drills.RestoreDrillRunner.AbandonAsync"/> — scratch database and folder removed, recorded
    /// failed with the reason, the restore_drill_failed alert raised. No orchestration is left to stop.
    /// </summary>
    private async Task<IReadOnlyList<string>> RunDrillsAsync(Restores.Drills.RestoreDrillRunner drillRunner, IJobInstances instances, CancellationToken cancellationToken)
    {
        var candidates = new List<RestoreDrill>();
        await foreach (var active in catalog.RestoreDrills.ActiveAsync(cancellationToken))
            candidates.Add(active);

        var failed = new List<string>();
        foreach (var candidate in candidates)
        {
            var state = await instances.GetStateAsync(candidate.Id, cancellationToken);
            // Read again after asking the orchestration: a drill that finished in between is not an orphan.
            var drill = await catalog.RestoreDrills.GetAsync(candidate.Id, cancellationToken);
            if (drill is null || OrphanReason(drill, state, time.GetUtcNow(), options.StaleAfter) is not { } reason)
                continue;
            logger.LogError("Restore drill {DrillId} is orphaned: {Reason}", drill.Id, reason);
            await drillRunner.AbandonAsync(drill, reason, cancellationToken);
            failed.Add(drill.Id);
        }
        return failed;
    }

    private static string Minutes(TimeSpan span) => Math.Floor(span.TotalMinutes).ToString(CultureInfo.InvariantCulture);
}
