using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>
/// The alerts of a run's outcome: a failed run raises (or escalates) its config's backup_failed alert, with the
/// severity from the run of consecutive failures (<see cref="AlertRules.BackupFailedSeverity"/>); a successful run
/// resolves backup_failed and backup_overdue. Called by <see cref="Backups.BackupRunner"/>.
/// </summary>
public sealed class FailureAlerts(BackupCatalog catalog, TimeProvider time)
{
    /// <summary>
    /// Raises backup_failed for the job when it ended <c>failed</c>; a job in any other state (cancelled, say, or one
    /// that does not exist) raises nothing and gives null.
    /// </summary>
    public async Task<RaisedAlert?> JobFailedAsync(string jobId, CancellationToken cancellationToken)
    {
        var job = await catalog.Jobs.GetAsync(jobId, cancellationToken);
        if (job is not { Status: JobStatus.Failed })
            return null;
        var failures = (await ConfigRuns.ReadAsync(catalog, job.ConfigId, 1, cancellationToken)).ConsecutiveFailures;
        // The job is failed and newest of its config, unless a later run already finished: it still failed, so at least 1.
        var severity = AlertRules.BackupFailedSeverity(Math.Max(failures, 1))!;
        var runs = failures > 1 ? $"{failures} backups of this config failed in a row; the last" : "The backup";
        return await catalog.Alerts.RaiseAsync(new BackupAlert
        {
            Id = AlertTypes.IdFor(AlertTypes.BackupFailed, job.ConfigId),
            Type = AlertTypes.BackupFailed,
            Severity = severity,
            ConfigId = job.ConfigId,
            Message = $"{runs} (job {job.Id}) failed: {job.Error}",
            CreatedAt = time.GetUtcNow(),
        }, cancellationToken);
    }

    /// <summary>A backup of the config succeeded: resolves its backup_failed and backup_overdue alerts.</summary>
    /// <returns>The alerts resolved now.</returns>
    public async Task<IReadOnlyList<BackupAlert>> BackupSucceededAsync(string configId, CancellationToken cancellationToken)
    {
        var resolved = new List<BackupAlert>();
        foreach (var type in new[] { AlertTypes.BackupFailed, AlertTypes.BackupOverdue })
        {
            if (await catalog.Alerts.ResolveAsync(AlertTypes.IdFor(type, configId), cancellationToken) is { } alert)
                resolved.Add(alert);
        }
        return resolved;
    }
}
