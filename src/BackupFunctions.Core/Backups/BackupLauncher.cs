using System.Security.Cryptography;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Starts backups: by hand (API) or when due (timer). The job row is written first, as <c>pending</c>, so the id the
/// caller gets can be polled at once; its insert is also the guard that a slot never runs twice. A config runs at most
/// <c>maxConcurrent</c> jobs at once: a manual start beyond that is refused, and a scheduled slot that falls due then
/// is skipped (recorded as a <c>skipped</c> job under the slot's id, so it is skipped once and visibly).
/// </summary>
public sealed class BackupLauncher(BackupCatalog catalog, TimeProvider time, ILogger<BackupLauncher> logger, BackupMetrics? metrics = null)
{
    /// <summary>How long a pending job row may wait for its orchestration before a later firing starts it.</summary>
    public static readonly TimeSpan OrphanedAfter = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Starts a backup of <paramref name="configId"/> now, unless the config does not exist or already has
    /// <c>maxConcurrent</c> jobs pending or running. (Two requests racing for the last free place may both get it: the
    /// count and the insert are not one transaction.)
    /// </summary>
    public async Task<ManualStartResult> StartNowAsync(string configId, IBackupStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        if (await catalog.GetConfigAsync(configId, cancellationToken) is not { } config)
            return new ManualStartResult(ManualStartOutcome.ConfigNotFound);
        var now = time.GetUtcNow();
        var active = await CountActiveJobsAsync(configId, now, starter, cancellationToken);
        if (active >= config.Config.MaxConcurrent)
        {
            var reason = $"{Describe(active)} of config {configId} {(active == 1 ? "is" : "are")} still running (maxConcurrent {config.Config.MaxConcurrent}); "
                + "start again when it has finished, or raise maxConcurrent.";
            logger.LogWarning("Backup of config {ConfigId} not started by request: {Reason}", configId, reason);
            return new ManualStartResult(ManualStartOutcome.AtConcurrencyLimit, Reason: reason);
        }

        var job = new BackupJob
        {
            Id = JobIds.ForManual(configId, now, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))),
            ConfigId = configId,
            Trigger = "manual",
            CreatedAt = now,
            Progress = new JobProgress { TotalSteps = BackupSteps.Total },
        };
        if (!await catalog.TryCreateJobAsync(job, cancellationToken))
            throw new InvalidOperationException($"Job id collision for {job.Id}; try again.");
        await starter.StartAsync(new BackupRequest(job.Id, configId), cancellationToken);
        logger.LogInformation("Backup job {JobId} of config {ConfigId} started by request", job.Id, configId);
        return new ManualStartResult(ManualStartOutcome.Started, job);
    }

    /// <summary>
    /// Starts every config whose latest slot is due and not yet started, and refreshes each config's stored
    /// <see cref="StoredBackupConfig.NextRunAt"/>. The job id derives from config and slot, so a second firing (or a
    /// second app instance) finds the row and starts nothing; a row left pending by a crash between insert and start is
    /// started on the next firing. A config whose stored schedule cannot be evaluated is logged and passed over.
    /// </summary>
    /// <returns>The ids of the jobs started by this call.</returns>
    public async Task<IReadOnlyList<string>> StartDueAsync(IBackupStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var now = time.GetUtcNow();
        var started = new List<string>();
        await foreach (var config in catalog.AllConfigsAsync(cancellationToken))
        {
            DateTimeOffset? slot, next;
            try
            {
                slot = ScheduleCalculator.LatestDueSlot(config.Config.Schedule, now, config.CreatedAt);
                next = ScheduleCalculator.NextSlot(config.Config.Schedule, now);
            }
            catch (ArgumentException e)
            {
                logger.LogError(e, "The schedule of config {ConfigId} cannot be evaluated; it does not run until it is fixed", config.Id);
                continue;
            }

            if (slot is { } due && await StartSlotAsync(config, due, now, starter, cancellationToken) is { } jobId)
                started.Add(jobId);
            if (next != config.NextRunAt)
                await catalog.SetConfigNextRunAtAsync(config.Id, next, cancellationToken);
        }
        return started;
    }

    /// <summary>Starts (or skips) the run of one due slot; the job id when this call started it.</summary>
    private async Task<string?> StartSlotAsync(
        StoredBackupConfig config, DateTimeOffset slot, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
    {
        var id = JobIds.ForSchedule(config.Id, slot);
        if (await catalog.GetJobAsync(id, cancellationToken) is { } existing)
        {
            // Another firing owns this slot. Only a row left pending for a while without an orchestration (the firing
            // that wrote it died before starting it) is taken over; a fresh one is still being started.
            if (!await IsOrphanedAsync(existing, now, starter, cancellationToken))
                return null;
            logger.LogWarning("Job {JobId} was left pending without an orchestration; starting it now", id);
        }
        else
        {
            var job = new BackupJob
            {
                Id = id,
                ConfigId = config.Id,
                Trigger = "schedule",
                CreatedAt = now,
                ScheduledFor = slot,
                Progress = new JobProgress { TotalSteps = BackupSteps.Total },
            };
            var limit = config.Config.MaxConcurrent;
            var active = await CountActiveJobsAsync(config.Id, now, starter, cancellationToken);
            if (active >= limit)
            {
                // Skipped rather than queued: a late run would shift every later slot, and the next slot comes anyway.
                var reason = $"Skipped: {Describe(active)} of this config {(active == 1 ? "was" : "were")} still running (maxConcurrent {limit}).";
                var skipped = job with { Status = JobStatus.Skipped, CompletedAt = now, Error = reason };
                if (await catalog.TryCreateJobAsync(skipped, cancellationToken))
                {
                    logger.LogWarning("Scheduled backup {JobId} of config {ConfigId} for slot {Slot} skipped: {Reason}", id, config.Id, slot, reason);
                    metrics?.RunFinished(skipped, config.Config.Name);
                }
                return null;
            }
            // Losing the insert means another firing got there first; it starts the run.
            if (!await catalog.TryCreateJobAsync(job, cancellationToken))
                return null;
        }

        await starter.StartAsync(new BackupRequest(id, config.Id), cancellationToken);
        logger.LogInformation("Scheduled backup {JobId} of config {ConfigId} for slot {Slot} started", id, config.Id, slot);
        return id;
    }

    /// <summary>Jobs of the config pending or running, not counting pending rows that never got an orchestration.</summary>
    private async Task<int> CountActiveJobsAsync(string configId, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
    {
        var count = 0;
        await foreach (var _ in catalog.JobsOfConfigAsync(configId, JobStatus.Running, cancellationToken))
            count++;
        await foreach (var job in catalog.JobsOfConfigAsync(configId, JobStatus.Pending, cancellationToken))
        {
            if (!await IsOrphanedAsync(job, now, starter, cancellationToken))
                count++;
        }
        return count;
    }

    /// <summary>A pending row older than <see cref="OrphanedAfter"/> whose orchestration does not exist.</summary>
    private static async Task<bool> IsOrphanedAsync(BackupJob job, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
        => job.Status == JobStatus.Pending
            && job.CreatedAt <= now - OrphanedAfter
            && !await starter.ExistsAsync(job.Id, cancellationToken);

    private static string Describe(int jobs) => jobs == 1 ? "1 backup" : $"{jobs} backups";
}
