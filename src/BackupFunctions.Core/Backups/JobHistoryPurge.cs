using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Removes finished jobs older than <see cref="JobOptions.KeepHistoryDays"/> with their logs, so the job table and the
/// BackupLogs table stay bounded without anyone tending them. The log goes first: a purge cut short leaves a job row
/// without its log (the next run removes it), never a log nothing points to.
/// </summary>
public sealed class JobHistoryPurge(BackupCatalog catalog, JobLogs logs, JobOptions options, TimeProvider time, ILogger<JobHistoryPurge> logger)
{
    /// <returns>How many jobs were removed.</returns>
    public async Task<int> PurgeAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.KeepHistory;
        var removed = 0;
        await foreach (var job in catalog.Jobs.CreatedBeforeAsync(cutoff, cancellationToken))
        {
            // A job still pending or running belongs to the watchdog, however old it is.
            if (!job.IsFinished)
                continue;
            await logs.DeleteAsync(job.Id, cancellationToken);
            await catalog.Jobs.DeleteAsync(job.Id, cancellationToken);
            removed++;
        }
        if (removed > 0)
            logger.LogInformation("Removed {Count} finished jobs created before {Cutoff} with their logs", removed, cutoff);
        return removed;
    }
}
