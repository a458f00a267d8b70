using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Removes finished jobs older than <see cref="JobOptions.KeepHistoryDays"/> with their logs, so the job table and the
/// BackupLogs table stay bounded without anyone tending them. The log goes first: a purge cut short leaves a job row
/// without its log (the next run removes it), never a log nothing points to. Restore jobs are purged the same way.
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
        // Restore jobs are few (one per restore someone asked for): a scan of the table, newest first, is cheap.
        string? token = null;
        do
        {
            var page = await catalog.RestoreJobs.ListAsync(BackupCatalog.MaxPageSize, token, null, null, cancellationToken);
            foreach (var job in page.Items.Where(j => j.IsFinished && j.CreatedAt < cutoff))
            {
                await logs.DeleteAsync(job.Id, cancellationToken);
                await catalog.RestoreJobs.DeleteAsync(job.Id, cancellationToken);
                removed++;
            }
            token = page.ContinuationToken;
        }
        while (token is not null);
        if (removed > 0)
            logger.LogInformation("Removed {Count} finished jobs created before {Cutoff} with their logs", removed, cutoff);
        return removed;
    }
}
