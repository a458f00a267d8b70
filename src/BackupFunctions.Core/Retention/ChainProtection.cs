using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Retention;

/// <summary>
/// The catalog's two questions that keep incremental chains whole while backups are written and removed at the same
/// time. Each side publishes before it checks — retention marks a backup <see cref="BackupStatuses.Deleting"/> and then
/// asks <see cref="HeldByAsync"/>; a backup run records its base on its job (<see cref="BackupJob.BaseBackupId"/>) and
/// then asks <see cref="UnusableBaseReasonAsync"/> — so in any interleaving at least one of them sees the other and
/// backs off (retention postpones the removal, the run makes a full backup).
/// </summary>
public static class ChainProtection
{
    /// <summary>
    /// What still needs backup <paramref name="backupId"/> of config <paramref name="configId"/>, or null when nothing
    /// does: a pending or running job that uses it as its base, or a backup that is not being removed and references it
    /// (its index points into its volumes) or has it as its base. Read fresh from the catalog, after the backup was
    /// marked <see cref="BackupStatuses.Deleting"/>.
    /// </summary>
    public static async Task<string?> HeldByAsync(BackupCatalog catalog, string configId, string backupId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(configId);
        ArgumentNullException.ThrowIfNull(backupId);
        foreach (var status in new[] { JobStatus.Running, JobStatus.Pending })
        {
            await foreach (var job in catalog.Jobs.OfConfigAsync(configId, status, cancellationToken))
            {
                if (job.BaseBackupId == backupId)
                    return $"base of {JobStatusWords.Of(status)} backup job {job.Id}";
            }
        }
        await foreach (var record in catalog.Backups.OfConfigAsync(configId, cancellationToken))
        {
            if (record.Id == backupId || record.Status == BackupStatuses.Deleting)
                continue;
            if (record.ReferencedBackupIds.Contains(backupId, StringComparer.Ordinal))
                return $"referenced by {record.Id}";
            if (record.BaseBackupId == backupId)
                return $"base of kept backup {record.Id}";
        }
        return null;
    }

    /// <summary>
    /// Why backup <paramref name="baseBackupId"/> may not be the base of a new incremental, or null when it may: it
    /// must be in the catalog, completed (with or without warnings; not failed verification, not being removed), and so
    /// must every backup it references (the new incremental points into their volumes too). Ask it after the job's
    /// <see cref="BackupJob.BaseBackupId"/> is written (see the class remarks); on a reason, make a full backup.
    /// </summary>
    public static async Task<string?> UnusableBaseReasonAsync(BackupCatalog catalog, string baseBackupId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(baseBackupId);
        var record = await catalog.Backups.GetAsync(baseBackupId, cancellationToken);
        if (Problem(record) is { } problem)
            return $"backup {baseBackupId} {problem}";
        foreach (var referenced in record!.ReferencedBackupIds)
        {
            if (Problem(await catalog.Backups.GetAsync(referenced, cancellationToken)) is { } inner)
                return $"backup {baseBackupId} references backup {referenced}, which {inner}";
        }
        return null;
    }

    private static string? Problem(BackupRecord? record) => record switch
    {
        null => "is not in the catalog (removed)",
        { Status: BackupStatuses.Deleting } => "is being deleted",
        _ when !RetentionCleaner.IsSuccessful(record) => $"is {record.Status}",
        _ => null,
    };
}
