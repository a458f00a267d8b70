using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Whether a step may still commit a backup (write a manifest, record it): only while its job runs and no cancel was
/// asked for — the watchdog sets the cancel flag before it fails a job, so a step that outlived its job (its
/// orchestration was terminated, its activity was not) is refused — or, for the copies of a recorded backup, while
/// that backup is not being deleted.
/// </summary>
internal static class CommitGuard
{
    /// <exception cref="JobCancelledException">The job was cancelled, or has ended, and its backup is not recorded.</exception>
    public static async Task EnsureMayCommitAsync(BackupCatalog catalog, string jobId, string backupId, CancellationToken cancellationToken)
    {
        // A recorded backup (a retried record step, a retried copy long after its job) is past the job's say.
        if (await catalog.Backups.GetAsync(backupId, cancellationToken) is { } record && record.Status != BackupStatuses.Deleting)
            return;
        var job = await catalog.Jobs.GetAsync(jobId, cancellationToken);
        if (job is null)
            throw JobCancelledException.NoLongerRunning(jobId, "gone");
        if (job.CancelRequested)
            throw JobCancelledException.For(jobId);
        if (job.Status != JobStatus.Running)
            throw JobCancelledException.NoLongerRunning(jobId, JobStatusWords.Of(job.Status));
    }

    /// <summary>
    /// Writes a manifest through <paramref name="put"/> with the guard checked right before the put and again after
    /// it: a put that took long (a hung destination is what makes the watchdog act) may land after the job's cleanup
    /// ran, so a manifest that turns out to be late is deleted again here before the refusal is thrown.
    /// </summary>
    public static async Task<T> CommitAsync<T>(
        BackupCatalog catalog, string jobId, string backupId, IBackupStore store, string manifestName, TimeProvider time, ILogger logger,
        Func<Func<CancellationToken, Task>, CancellationToken, Task<T>> put, CancellationToken cancellationToken)
    {
        var result = await put(ct => EnsureMayCommitAsync(catalog, jobId, backupId, ct), cancellationToken);
        // On a token of its own: the step's may have been cancelled by the very cancel this looks for (a put that did
        // not notice it completed anyway), and the check and the delete must still happen.
        using var own = new CancellationTokenSource(TimeSpan.FromMinutes(2), time);
        try
        {
            await EnsureMayCommitAsync(catalog, jobId, backupId, own.Token);
        }
        catch (JobCancelledException)
        {
            try
            {
                await store.DeleteAsync(manifestName, own.Token);
                logger.LogWarning("Job {JobId} ended while its manifest {Manifest} was being written to {Location}; the manifest was removed again",
                    jobId, manifestName, store.Location);
            }
            catch (Exception e) when (e is StoreException or OperationCanceledException)
            {
                logger.LogError(e, "Job {JobId} ended while its manifest {Manifest} was being written to {Location}, and removing it failed",
                    jobId, manifestName, store.Location);
            }
            throw;
        }
        return result;
    }
}
