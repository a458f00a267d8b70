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
/// A place is held while the job is pending or running, and no longer: whatever ended the job (it completed, failed,
/// was cancelled, was failed by the watchdog, was skipped), its final status frees the place at the next claim, so a
/// crash cannot leak one. The guard row is only a list of recent claims; each claim counts the places from the job
/// rows as they are then (the pending and running jobs of the config, the same count as before the guard, so jobs
/// written without a claim count too) plus the claims whose job row is not written yet — a claim without a row for
/// longer than <see cref="BackupLauncher.OrphanedAfter"/> is a start that died between claim and insert and no longer
/// counts. A pending job whose orchestration never started does not count after that time either.
/// </remarks>
internal sealed class JobSlotGuard(BackupCatalog catalog, TimeProvider time)
{
    /// <summary>Each lost race means another start claimed or was refused meanwhile; ten racing starts settle within a few rounds.</summary>
    private const int MaxAttempts = 25;

    private const int MaxBackoffMs = 500;

    /// <summary>
    /// Claims a place for <paramref name="jobId"/> unless <paramref name="limit"/> places are taken. Claiming again
    /// for the same job id (two firings of one scheduled slot, a takeover) holds one place, not two.
    /// </summary>
    /// <returns>Whether the place is claimed, and how many places are taken (without this job's).</returns>
    /// <exception cref="InvalidOperationException">The guard row kept changing under every attempt.</exception>
    public async Task<(bool Claimed, int Taken)> TryClaimAsync(
        string configId, string jobId, int limit, IBackupStarter starter, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // The row first, then the jobs: a claim written after this read changes the row's version and fails ours.
            var slots = await catalog.Jobs.ReadSlotsAsync(configId, cancellationToken);
            var now = time.GetUtcNow();
            var taken = await ActiveJobIdsAsync(configId, now, starter, cancellationToken);
            taken.Remove(jobId);
            var kept = new List<JobSlotHolder>();
            foreach (var holder in slots.Holders)
            {
                if (holder.JobId == jobId)
                    continue;
                if (taken.Contains(holder.JobId) || await StillHoldsAsync(holder, now, starter, cancellationToken))
                {
                    kept.Add(holder);
                    taken.Add(holder.JobId);
                }
            }
            if (taken.Count >= limit)
                return (false, taken.Count);
            if (await catalog.Jobs.TryWriteSlotsAsync(slots, [.. kept, new JobSlotHolder(jobId, now)], cancellationToken))
                return (true, taken.Count);
            if (attempt == MaxAttempts)
                throw new InvalidOperationException($"Could not claim a place among the maxConcurrent runs of config {configId}: too many simultaneous starts; try again.");
            // Real time on purpose, like the catalog's ETag retries: it paces service calls and decides nothing.
            await Task.Delay(RandomNumberGenerator.GetInt32(1, Math.Min(MaxBackoffMs, 10 << Math.Min(attempt, 10))), cancellationToken);
        }
    }

    /// <summary>Jobs of the config pending or running, not counting pending rows that never got an orchestration.</summary>
    public async Task<HashSet<string>> ActiveJobIdsAsync(string configId, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var job in catalog.Jobs.OfConfigAsync(configId, JobStatus.Running, cancellationToken))
            ids.Add(job.Id);
        await foreach (var job in catalog.Jobs.OfConfigAsync(configId, JobStatus.Pending, cancellationToken))
        {
            if (!await IsOrphanedAsync(job, now, starter, cancellationToken))
                ids.Add(job.Id);
        }
        return ids;
    }

    /// <summary>A pending row older than <see cref="BackupLauncher.OrphanedAfter"/> whose orchestration does not exist.</summary>
    public static async Task<bool> IsOrphanedAsync(BackupJob job, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
        => job.Status == JobStatus.Pending
            && job.CreatedAt <= now - BackupLauncher.OrphanedAfter
            && !await starter.ExistsAsync(job.Id, cancellationToken);

    /// <summary>A claim not among the active jobs read: its row was written since, or is about to be.</summary>
    private async Task<bool> StillHoldsAsync(JobSlotHolder holder, DateTimeOffset now, IBackupStarter starter, CancellationToken cancellationToken)
    {
        var job = await catalog.Jobs.GetAsync(holder.JobId, cancellationToken);
        if (job is null)
            return holder.ClaimedAt > now - BackupLauncher.OrphanedAfter;
        return job.Status == JobStatus.Running
            || (job.Status == JobStatus.Pending && !await IsOrphanedAsync(job, now, starter, cancellationToken));
    }
}
