using System.Security.Cryptography;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Starts backups: by hand (API) or when due (timer). The job row is written first, as <c>pending</c>, so the id the
/// caller gets can be polled at once; its insert is also the guard that a slot never runs twice.
/// </summary>
public sealed class BackupLauncher(BackupCatalog catalog, TimeProvider time, ILogger<BackupLauncher> logger)
{
    /// <summary>How long a pending job row may wait for its orchestration before a later firing starts it.</summary>
    public static readonly TimeSpan OrphanedAfter = TimeSpan.FromMinutes(2);

    /// <summary>Starts a backup of <paramref name="configId"/> now; null when the config does not exist.</summary>
    public async Task<BackupJob?> StartNowAsync(string configId, IBackupStarter starter, CancellationToken cancellationToken)
    {
        if (await catalog.GetConfigAsync(configId, cancellationToken) is null)
            return null;
        var now = time.GetUtcNow();
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
        return job;
    }

    /// <summary>
    /// Starts every config whose latest slot is due and not yet started. The job id derives from config and slot, so a
    /// second firing (or a second app instance) finds the row and starts nothing; a row left pending by a crash between
    /// insert and start is started on the next firing.
    /// </summary>
    public async Task<IReadOnlyList<string>> StartDueAsync(IBackupStarter starter, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var started = new List<string>();
        await foreach (var config in catalog.AllConfigsAsync(cancellationToken))
        {
            var slot = ScheduleCalculator.LatestDueSlot(config.Config.Schedule, now, config.CreatedAt);
            if (slot is null)
                continue;

            var job = new BackupJob
            {
                Id = JobIds.ForSchedule(config.Id, slot.Value),
                ConfigId = config.Id,
                Trigger = "schedule",
                CreatedAt = now,
                ScheduledFor = slot,
                Progress = new JobProgress { TotalSteps = BackupSteps.Total },
            };
            if (!await catalog.TryCreateJobAsync(job, cancellationToken))
            {
                // Another firing owns this slot. Only a row left pending for a while without an orchestration (the
                // firing that wrote it died before starting it) is taken over; a fresh one is still being started.
                var existing = await catalog.GetJobAsync(job.Id, cancellationToken);
                if (existing is not { Status: JobStatus.Pending } || existing.CreatedAt > now - OrphanedAfter
                    || await starter.ExistsAsync(job.Id, cancellationToken))
                    continue;
                logger.LogWarning("Job {JobId} was left pending without an orchestration; starting it now", job.Id);
            }

            await starter.StartAsync(new BackupRequest(job.Id, config.Id), cancellationToken);
            started.Add(job.Id);
            logger.LogInformation("Scheduled backup {JobId} of config {ConfigId} for slot {Slot} started", job.Id, config.Id, slot);
        }
        return started;
    }
}
