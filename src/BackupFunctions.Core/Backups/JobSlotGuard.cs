using System.Security.Cryptography;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The check-and-claim of one of a config's <c>maxConcurrent</c> places, serialized through the config's guard row
/// (<see cref="JobSlots"/>, written only at the version it was read at). Every start, manual or scheduled, claims its
/// place here before it writes its job row, so two starts racing for the last place cannot both get it: the second
/// one's write fails, and when it reads again it sees the first one's claim.
/// </summary>
/// <remarks>
/// <para>
/// A place is held while the job is pending or running, and no longer: whatever ended the job (it completed, failed,
/// was cancelled, was failed by the watchdog, was skipped), its final status frees the place at the next claim, so a
/// crash cannot leak one. The guard row is only a list of recent claims; each claim counts the places from the job
/// rows as they are then (the pending and running jobs of the config, the same count as before the guard, so jobs
/// written without a claim count too) plus the claims whose job row is not written yet — a claim without a row for
/// longer than <see cref="BackupLauncher.OrphanedAfter"/> is a start that died between claim and insert and no longer
/// counts. A pending job whose orchestration never started does not count after that time either.
/// </para>
/// <para>
/// Restores claim through the same row (<see cref="Restores.RestoreClaims"/>; their holder ids start with
/// <see cref="RestorePrefix"/>), but take the whole config: a restore is claimed only when no backup and no other
/// restore of the config is pending or running (or claimed), and while a restore holds the config no backup is
/// claimed. The restore's own pre-restore backup is written without a claim: it runs under the restore's.
/// </para>
/// <para>
/// A config delete passes through the same row (<see cref="TryPassForDeleteAsync"/>) after marking the config, and a
/// backup claim reads the config again once written, so a delete and a start racing never both go through.
/// </para>
/// </remarks>
internal sealed class JobSlotGuard(BackupCatalog catalog, TimeProvider time)
{
    /// <summary>Holder ids of restore jobs start with this (<see cref="RestoreJobsTable.NewId"/>).</summary>
    public const string RestorePrefix = CatalogIds.RestorePrefix;

    /// <summary>Each lost race means another start claimed or was refused meanwhile; ten racing starts settle within a few rounds.</summary>
    private const int MaxAttempts = 25;

    private const int MaxBackoffMs = 500;

    /// <summary>Whether an orchestration instance with this id exists (backup and restore instances share one id space).</summary>
    public delegate Task<bool> InstanceExists(string instanceId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a place for backup <paramref name="jobId"/> unless <paramref name="limit"/> places are taken or a restore
    /// holds the config. Claiming again for the same job id (two firings of one scheduled slot, a takeover) holds one
    /// place, not two.
    /// </summary>
    /// <returns>
    /// Whether the place is claimed, how many backups hold places (without this job's), the restore job that holds the
    /// config when that is why not, and whether the config turned out deleted (the claim then taken back).
    /// </returns>
    /// <exception cref="InvalidOperationException">The guard row kept changing under every attempt.</exception>
    public async Task<(bool Claimed, int Taken, string? Restore, bool ConfigDeleted)> TryClaimAsync(
        string configId, string jobId, int limit, IBackupStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var (claimed, taken, restore) = await ClaimAsync(configId, jobId, limit, starter.ExistsAsync, cancellationToken);
        // The caller read the config before claiming; a delete may have marked it since. Read again now that the claim
        // is written: a delete marks first and then passes the guard (TryPassForDeleteAsync), so either it sees this
        // claim and takes its mark back, or this read sees the mark.
        if (claimed && await catalog.Configs.GetAsync(configId, cancellationToken) is not { DeletedAt: null })
        {
            await ReleaseAsync(configId, jobId, cancellationToken);
            return (false, taken, null, true);
        }
        return (claimed, taken, restore, false);
    }

    /// <summary>
    /// The delete of config <paramref name="configId"/>, already marked on its row, passes the guard: refused while
    /// any backup or restore of the config is pending, running or claimed (a start that read the config before the
    /// mark); otherwise the row is written back unchanged, so that a claim racing this one fails its write, reads
    /// again and then sees the mark.
    /// </summary>
    /// <returns>Whether the way is clear; else the backup job ids and the restore job that hold the config.</returns>
    public async Task<(bool Clear, IReadOnlyList<string> Backups, string? Restore)> TryPassForDeleteAsync(
        string configId, InstanceExists exists, CancellationToken cancellationToken)
    {
        List<string> backups = [];
        var (clear, _, restore) = await ClaimAsync(configId, jobId: null, 1, exists, cancellationToken, held => backups = held);
        return (clear, backups, restore);
    }

    /// <summary>
    /// Claims the whole config for restore job <paramref name="restoreJobId"/>: refused while any backup or restore of
    /// the config is pending, running or claimed.
    /// </summary>
    /// <returns>Whether it is claimed; else the backup job ids and the restore job that hold the config.</returns>
    public async Task<(bool Claimed, IReadOnlyList<string> Backups, string? Restore)> TryClaimRestoreAsync(
        string configId, string restoreJobId, InstanceExists exists, CancellationToken cancellationToken)
    {
        if (!restoreJobId.StartsWith(RestorePrefix, StringComparison.Ordinal))
            throw new ArgumentException($"A restore job id starts with '{RestorePrefix}'.", nameof(restoreJobId));
        List<string> backups = [];
        var (claimed, _, restore) = await ClaimAsync(configId, restoreJobId, 1, exists, cancellationToken, held => backups = held);
        return (claimed, backups, restore);
    }

    /// <param name="jobId">The claim's holder; null to claim nothing but pass the guard (a config delete).</param>
    private async Task<(bool Claimed, int Taken, string? Restore)> ClaimAsync(
        string configId, string? jobId, int limit, InstanceExists exists, CancellationToken cancellationToken,
        Action<List<string>>? refusedBy = null)
    {
        var isRestore = jobId?.StartsWith(RestorePrefix, StringComparison.Ordinal) == true;
        for (var attempt = 1; ; attempt++)
        {
            // The row first, then the jobs: a claim written after this read changes the row's version and fails ours.
            var slots = await catalog.Jobs.ReadSlotsAsync(configId, cancellationToken);
            var now = time.GetUtcNow();
            var taken = await ActiveJobIdsAsync(configId, now, exists, cancellationToken);
            var restores = await ActiveRestoreIdsAsync(configId, now, exists, cancellationToken);
            if (jobId is not null)
            {
                taken.Remove(jobId);
                restores.Remove(jobId);
            }
            var kept = new List<JobSlotHolder>();
            foreach (var holder in slots.Holders)
            {
                if (holder.JobId == jobId)
                    continue;
                var restoreHolder = holder.JobId.StartsWith(RestorePrefix, StringComparison.Ordinal);
                var active = restoreHolder ? restores : taken;
                if (active.Contains(holder.JobId) || await StillHoldsAsync(holder, restoreHolder, now, exists, cancellationToken))
                {
                    kept.Add(holder);
                    active.Add(holder.JobId);
                }
            }
            var restore = restores.Order(StringComparer.Ordinal).FirstOrDefault();
            if (restore is not null || taken.Count >= limit)
            {
                refusedBy?.Invoke([.. taken.Order(StringComparer.Ordinal)]);
                return (false, taken.Count, restore);
            }
            if (await catalog.Jobs.TryWriteSlotsAsync(slots, jobId is null ? kept : [.. kept, new JobSlotHolder(jobId, now)], cancellationToken))
                return (true, taken.Count, null);
            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException(jobId is null
                    ? $"Could not check config {configId} for starting jobs: too many simultaneous starts; try again."
                    : isRestore
                    ? $"Could not claim config {configId} for the restore: too many simultaneous starts; try again."
                    : $"Could not claim a place among the maxConcurrent runs of config {configId}: too many simultaneous starts; try again.");
            }
            await BackOffAsync(attempt, cancellationToken);
        }
    }

    /// <summary>Takes back the claim of <paramref name="jobId"/> (left behind, it would stop counting after <see cref="BackupLauncher.OrphanedAfter"/>).</summary>
    private async Task ReleaseAsync(string configId, string jobId, CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var slots = await catalog.Jobs.ReadSlotsAsync(configId, cancellationToken);
            if (!slots.Holders.Any(h => h.JobId == jobId)
                || await catalog.Jobs.TryWriteSlotsAsync(slots, [.. slots.Holders.Where(h => h.JobId != jobId)], cancellationToken))
                return;
            await BackOffAsync(attempt, cancellationToken);
        }
    }

    // Real time on purpose, like the catalog's ETag retries: it paces service calls and decides nothing.
    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken)
        => Task.Delay(RandomNumberGenerator.GetInt32(1, Math.Min(MaxBackoffMs, 10 << Math.Min(attempt, 10))), cancellationToken);

    /// <summary>Jobs of the config pending or running, not counting pending rows that never got an orchestration.</summary>
    private async Task<HashSet<string>> ActiveJobIdsAsync(string configId, DateTimeOffset now, InstanceExists exists, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var job in catalog.Jobs.OfConfigAsync(configId, JobStatus.Running, cancellationToken))
            ids.Add(job.Id);
        await foreach (var job in catalog.Jobs.OfConfigAsync(configId, JobStatus.Pending, cancellationToken))
        {
            if (!await IsOrphanedAsync(job.Status == JobStatus.Pending, job.CreatedAt, job.Id, now, exists, cancellationToken))
                ids.Add(job.Id);
        }
        return ids;
    }

    /// <summary>Restore jobs of the config pending or running (rows written without a claim count too).</summary>
    private async Task<HashSet<string>> ActiveRestoreIdsAsync(string configId, DateTimeOffset now, InstanceExists exists, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var job in catalog.RestoreJobs.ActiveAsync(configId, cancellationToken))
        {
            if (!await IsOrphanedAsync(job.Status == RestoreJobStatus.Pending, job.CreatedAt, job.Id, now, exists, cancellationToken))
                ids.Add(job.Id);
        }
        return ids;
    }

    /// <summary>A pending row older than <see cref="BackupLauncher.OrphanedAfter"/> whose orchestration does not exist.</summary>
    public static async Task<bool> IsOrphanedAsync(BackupJob job, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(starter);
        return await IsOrphanedAsync(job.Status == JobStatus.Pending, job.CreatedAt, job.Id, now, starter.ExistsAsync, cancellationToken);
    }

    private static async Task<bool> IsOrphanedAsync(
        bool pending, DateTimeOffset createdAt, string id, DateTimeOffset now, InstanceExists exists, CancellationToken cancellationToken)
        => pending && createdAt <= now - BackupLauncher.OrphanedAfter && !await exists(id, cancellationToken);

    /// <summary>A claim not among the active jobs read: its row was written since, or is about to be.</summary>
    private async Task<bool> StillHoldsAsync(JobSlotHolder holder, bool restore, DateTimeOffset now, InstanceExists exists, CancellationToken cancellationToken)
    {
        if (restore)
        {
            var job = await catalog.RestoreJobs.GetAsync(holder.JobId, cancellationToken);
            if (job is null)
                return holder.ClaimedAt > now - BackupLauncher.OrphanedAfter;
            return job.Status == RestoreJobStatus.Running
                || (job.Status == RestoreJobStatus.Pending && !await IsOrphanedAsync(true, job.CreatedAt, job.Id, now, exists, cancellationToken));
        }
        var backup = await catalog.Jobs.GetAsync(holder.JobId, cancellationToken);
        if (backup is null)
            return holder.ClaimedAt > now - BackupLauncher.OrphanedAfter;
        return backup.Status == JobStatus.Running
            || (backup.Status == JobStatus.Pending && !await IsOrphanedAsync(true, backup.CreatedAt, backup.Id, now, exists, cancellationToken));
    }
}
