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
/// is skipped (recorded as a <c>skipped</c> job under the slot's id, so it is skipped once and visibly). Both kinds of
/// start claim their place through one guard (<see cref="JobSlotGuard"/>) before the job row is written, so
/// simultaneous starts (ten requests at once, a request and the timer, two app instances) never pass the limit.
/// While a restore of the config runs, manual starts are refused and scheduled slots skipped with that reason.
/// </summary>
public sealed class BackupLauncher(BackupCatalog catalog, TimeProvider time, ILogger<BackupLauncher> logger, BackupMetrics? metrics = null)
{
    private readonly JobSlotGuard _slots = new(catalog, time);

    /// <summary>How long a pending job row may wait for its orchestration before a later firing starts it.</summary>
    public static readonly TimeSpan OrphanedAfter = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Starts a backup of <paramref name="configId"/> now, unless the config does not exist or already has
    /// <c>maxConcurrent</c> jobs pending or running (or claimed by starts racing this one).
    /// </summary>
    public Task<ManualStartResult> StartNowAsync(string configId, IBackupStarter starter, CancellationToken cancellationToken)
        => StartNowAsync(configId, "api", starter, cancellationToken);

    /// <summary>As <see cref="StartNowAsync(string, IBackupStarter, CancellationToken)"/>, recording <paramref name="createdBy"/> (checked by the caller) on the job.</summary>
    public async Task<ManualStartResult> StartNowAsync(string configId, string createdBy, IBackupStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(createdBy);
        ArgumentNullException.ThrowIfNull(starter);
        // A deleted config's row stays for its backups' sake; it makes no new ones.
        if (await catalog.Configs.GetAsync(configId, cancellationToken) is not { DeletedAt: null } config)
            return new ManualStartResult(ManualStartOutcome.ConfigNotFound);
        var now = time.GetUtcNow();
        var id = JobIds.ForManual(configId, now, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        var (claimed, active, restore, deleted) = await _slots.TryClaimAsync(configId, id, config.Config.MaxConcurrent, starter, cancellationToken);
        if (deleted)
            return new ManualStartResult(ManualStartOutcome.ConfigNotFound);
        if (!claimed)
        {
            var reason = restore is not null
                ? $"A restore of config {configId} is running ({restore}); start the backup when it has finished."
                : $"{Describe(active)} of config {configId} {(active == 1 ? "is" : "are")} still running (maxConcurrent {config.Config.MaxConcurrent}); "
                + "start again when it has finished, or raise maxConcurrent.";
            logger.LogWarning("Backup of config {ConfigId} not started by request: {Reason}", configId, reason);
            return new ManualStartResult(restore is null ? ManualStartOutcome.AtConcurrencyLimit : ManualStartOutcome.RestoreRunning, Reason: reason);
        }

        var job = new BackupJob
        {
            Id = id,
            ConfigId = configId,
            Trigger = "manual",
            Name = JobNames.Of(config.Config.Name, now),
            Type = JobNames.TypeOf(config.Config),
            CreatedBy = createdBy,
            CreatedAt = now,
            Progress = new JobProgress { TotalSteps = BackupSteps.Total },
        };
        if (!await catalog.Jobs.TryCreateAsync(job, cancellationToken))
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
        await foreach (var config in catalog.Configs.AllAsync(cancellationToken))
        {
            DateTimeOffset? slot, next;
            if (!config.Config.Enabled)
            {
                // Paused: no slot is due and none is next; the slots that pass meanwhile are not made up on resuming.
                if (config.NextRunAt is not null)
                    await catalog.Configs.SetNextRunAtAsync(config.Id, null, cancellationToken);
                continue;
            }
            try
            {
                // From the last edit (creation at first): a schedule changed, or a config resumed, does not make up for
                // slots before the edit.
                slot = ScheduleCalculator.LatestDueSlot(config.Config.Schedule, now, config.UpdatedAt);
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
                await catalog.Configs.SetNextRunAtAsync(config.Id, next, cancellationToken);
        }
        return started;
    }

    /// <summary>Starts (or skips) the run of one due slot; the job id when this call started it.</summary>
    private async Task<string?> StartSlotAsync(
        StoredBackupConfig config, DateTimeOffset slot, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
    {
        var id = JobIds.ForSchedule(config.Id, slot);
        if (await catalog.Jobs.GetAsync(id, cancellationToken) is { } existing)
        {
            // Another firing owns this slot. Only a row left pending for a while without an orchestration (the firing
            // that wrote it died before starting it) is taken over; a fresh one is still being started.
            if (!await JobSlotGuard.IsOrphanedAsync(existing, now, starter, cancellationToken))
                return null;
            // While it lay orphaned it held no place: it needs one again like any start.
            var (claimed, active, restore, deleted) = await _slots.TryClaimAsync(config.Id, id, config.Config.MaxConcurrent, starter, cancellationToken);
            if (!claimed)
            {
                var reason = SkipReason(active, config.Config.MaxConcurrent, restore, deleted);
                var skipped = await catalog.Jobs.UpdateAsync(id, j => j.Status == JobStatus.Pending
                    ? j with { Status = JobStatus.Skipped, CompletedAt = now, Error = reason }
                    : j, cancellationToken);
                if (skipped.Status == JobStatus.Skipped)
                {
                    logger.LogWarning("Scheduled backup {JobId} of config {ConfigId} for slot {Slot} skipped: {Reason}", id, config.Id, slot, reason);
                    metrics?.RunFinished(skipped, config.Config.Name);
                }
                return null;
            }
            logger.LogWarning("Job {JobId} was left pending without an orchestration; starting it now", id);
        }
        else
        {
            var job = new BackupJob
            {
                Id = id,
                ConfigId = config.Id,
                Trigger = "schedule",
                Name = JobNames.Of(config.Config.Name, slot),
                Type = JobNames.TypeOf(config.Config),
                CreatedBy = JobNames.Schedule,
                CreatedAt = now,
                ScheduledFor = slot,
                Progress = new JobProgress { TotalSteps = BackupSteps.Total },
            };
            var (claimed, active, restore, deleted) = await _slots.TryClaimAsync(config.Id, id, config.Config.MaxConcurrent, starter, cancellationToken);
            if (deleted)
                return null;
            if (!claimed)
            {
                // Skipped rather than queued: a late run would shift every later slot, and the next slot comes anyway.
                var reason = SkipReason(active, config.Config.MaxConcurrent, restore, deleted: false);
                var skipped = job with { Status = JobStatus.Skipped, CompletedAt = now, Error = reason };
                if (await catalog.Jobs.TryCreateAsync(skipped, cancellationToken))
                {
                    logger.LogWarning("Scheduled backup {JobId} of config {ConfigId} for slot {Slot} skipped: {Reason}", id, config.Id, slot, reason);
                    metrics?.RunFinished(skipped, config.Config.Name);
                }
                return null;
            }
            // Losing the insert means another firing got there first; it starts the run.
            if (!await catalog.Jobs.TryCreateAsync(job, cancellationToken))
                return null;
        }

        await starter.StartAsync(new BackupRequest(id, config.Id), cancellationToken);
        logger.LogInformation("Scheduled backup {JobId} of config {ConfigId} for slot {Slot} started", id, config.Id, slot);
        return id;
    }

    private static string SkipReason(int active, int limit, string? restore, bool deleted)
        => deleted ? "Skipped: the config was deleted."
            : restore is not null ? $"Skipped: a restore of this config is running ({restore})."
            : $"Skipped: {Describe(active)} of this config {(active == 1 ? "was" : "were")} still running (maxConcurrent {limit}).";

    private static string Describe(int jobs) => jobs == 1 ? "1 backup" : $"{jobs} backups";
}
