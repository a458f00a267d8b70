using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Scheduling;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>
/// Starts restore drills: by hand (API) or when a config's <c>restoreDrill.schedule</c> is due (timer), the way
/// <see cref="Backups.BackupLauncher"/> starts backups. The drill row is written first (<c>pending</c>) so its id can be
/// polled at once; a scheduled drill's id derives from config and slot, so a slot runs once however often the timer
/// fires. A config holds one drill place (<see cref="RestoreDrillsTable.TryClaimAsync"/>): a request while a drill runs is
/// refused, a slot that falls due then is recorded as skipped. Backups are never asked: a drill only reads.
/// </summary>
public sealed class RestoreDrillLauncher(BackupCatalog catalog, TimeProvider time, ILogger<RestoreDrillLauncher> logger)
{
    /// <summary>How long a drill may sit without its orchestration before its place (or its slot) is taken over.</summary>
    public static readonly TimeSpan OrphanedAfter = TimeSpan.FromMinutes(2);

    public async Task<DrillStartResult> StartNowAsync(string configId, IRestoreDrillStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        if (await catalog.Configs.GetAsync(configId, cancellationToken) is not { DeletedAt: null })
            return new DrillStartResult(DrillStartOutcome.ConfigNotFound);
        if (!await HasRestorePointAsync(configId, cancellationToken))
            return new DrillStartResult(DrillStartOutcome.NoBackup, Reason: $"Config {configId} has no successful backup yet: there is nothing to drill.");
        var now = time.GetUtcNow();
        var id = RestoreDrillsTable.NewId(now);
        if (!await catalog.RestoreDrills.TryClaimAsync(configId, id, (holder, claimedAt) => IsStaleAsync(holder, claimedAt, starter, cancellationToken), cancellationToken))
        {
            var holder = await catalog.RestoreDrills.ActiveDrillAsync(configId, cancellationToken);
            return new DrillStartResult(DrillStartOutcome.AlreadyRunning,
                Reason: $"Restore drill {holder ?? "(another)"} of config {configId} is still running; two drills of one config do not run at once.");
        }
        var drill = new RestoreDrill { Id = id, ConfigId = configId, Trigger = "manual", CreatedAt = now };
        if (!await catalog.RestoreDrills.TryCreateAsync(drill, cancellationToken))
        {
            await catalog.RestoreDrills.ReleaseAsync(configId, id, cancellationToken);
            throw new InvalidOperationException($"Drill id collision for {id}; try again.");
        }
        await starter.StartAsync(id, cancellationToken);
        logger.LogInformation("Restore drill {DrillId} of config {ConfigId} started by request", id, configId);
        return new DrillStartResult(DrillStartOutcome.Started, drill);
    }

    /// <summary>Starts the drill of every config whose latest drill slot is due and not yet started (or skipped).</summary>
    /// <returns>The ids of the drills started by this call.</returns>
    public async Task<IReadOnlyList<string>> StartDueAsync(IRestoreDrillStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var now = time.GetUtcNow();
        var started = new List<string>();
        await foreach (var config in catalog.Configs.AllAsync(cancellationToken))
        {
            // A paused config (enabled: false) has no drills either.
            if (config.Config.RestoreDrill?.Schedule is not { } schedule || !config.Config.Enabled)
                continue;
            DateTimeOffset? slot;
            try
            {
                slot = ScheduleCalculator.LatestDueSlot(schedule, now, config.CreatedAt);
            }
            catch (ArgumentException e)
            {
                logger.LogError(e, "The restore-drill schedule of config {ConfigId} cannot be evaluated; no drill runs until it is fixed", config.Id);
                continue;
            }
            if (slot is { } due && await StartSlotAsync(config.Id, due, now, starter, cancellationToken) is { } drillId)
                started.Add(drillId);
        }
        return started;
    }

    private async Task<string?> StartSlotAsync(string configId, DateTimeOffset slot, DateTimeOffset now, IRestoreDrillStarter starter, CancellationToken cancellationToken)
    {
        var id = RestoreDrillsTable.IdForSchedule(configId, slot);
        if (await catalog.RestoreDrills.GetAsync(id, cancellationToken) is { } existing)
        {
            // Another firing owns this slot; only a row left pending without an orchestration is taken over.
            if (existing.Status != RestoreDrillStatuses.Pending || now - existing.CreatedAt < OrphanedAfter
                || await starter.IsRunningAsync(id, cancellationToken))
                return null;
            if (!await catalog.RestoreDrills.TryClaimAsync(configId, id, (holder, claimedAt) => IsStaleAsync(holder, claimedAt, starter, cancellationToken), cancellationToken))
            {
                await catalog.RestoreDrills.UpdateAsync(id, d => d.Status == RestoreDrillStatuses.Pending
                    ? d with { Status = RestoreDrillStatuses.Skipped, CompletedAt = now, Error = SkipReason }
                    : d, cancellationToken);
                return null;
            }
            logger.LogWarning("Restore drill {DrillId} was left pending without an orchestration; starting it now", id);
        }
        else
        {
            var drill = new RestoreDrill { Id = id, ConfigId = configId, Trigger = "schedule", ScheduledFor = slot, CreatedAt = now };
            if (!await HasRestorePointAsync(configId, cancellationToken))
            {
                // Not a failed drill: there is nothing to restore yet (backup_overdue speaks for a config that never backs up).
                if (await catalog.RestoreDrills.TryCreateAsync(drill with { Status = RestoreDrillStatuses.Skipped, CompletedAt = now, Error = "Skipped: the config has no successful backup yet." }, cancellationToken))
                    logger.LogInformation("Scheduled restore drill {DrillId} of config {ConfigId} skipped: no backup yet", id, configId);
                return null;
            }
            if (!await catalog.RestoreDrills.TryClaimAsync(configId, id, (holder, claimedAt) => IsStaleAsync(holder, claimedAt, starter, cancellationToken), cancellationToken))
            {
                // Skipped rather than queued: the next slot comes anyway.
                if (await catalog.RestoreDrills.TryCreateAsync(drill with { Status = RestoreDrillStatuses.Skipped, CompletedAt = now, Error = SkipReason }, cancellationToken))
                    logger.LogWarning("Scheduled restore drill {DrillId} of config {ConfigId} skipped: {Reason}", id, configId, SkipReason);
                return null;
            }
            // Losing the insert means another firing got there first (it holds the same id's place); it starts the drill.
            if (!await catalog.RestoreDrills.TryCreateAsync(drill, cancellationToken))
                return null;
        }
        await starter.StartAsync(id, cancellationToken);
        logger.LogInformation("Scheduled restore drill {DrillId} of config {ConfigId} for slot {Slot} started", id, configId, slot);
        return id;
    }

    private const string SkipReason = "Skipped: another restore drill of this config was still running.";

    /// <summary>
    /// A place holder that finished, or sat without an orchestration for <see cref="OrphanedAfter"/>. A holder without
    /// a row is one whose start is writing it right now (the place is claimed first), unless it claimed long ago.
    /// </summary>
    private async Task<bool> IsStaleAsync(string holderId, DateTimeOffset claimedAt, IRestoreDrillStarter starter, CancellationToken cancellationToken)
    {
        if (await catalog.RestoreDrills.GetAsync(holderId, cancellationToken) is not { } holder)
            return time.GetUtcNow() - claimedAt >= OrphanedAfter;
        if (holder.IsFinished)
            return true;
        return time.GetUtcNow() - (holder.LastUpdatedAt ?? holder.CreatedAt) >= OrphanedAfter
            && !await starter.IsRunningAsync(holderId, cancellationToken);
    }

    private async Task<bool> HasRestorePointAsync(string configId, CancellationToken cancellationToken)
    {
        await foreach (var backup in catalog.Backups.OfConfigAsync(configId, cancellationToken))
        {
            if (RestorePoint.WhyNot(backup) is null)
                return true;
        }
        return false;
    }
}
