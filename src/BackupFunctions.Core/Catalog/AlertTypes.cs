namespace BackupFunctions.Core.Catalog;

/// <summary>The kinds of <see cref="BackupAlert"/>.</summary>
public static class AlertTypes
{
    public const string BackupFailed = "backup_failed";
    public const string ReplicationFailed = "replication_failed";
    public const string VerificationFailed = "verification_failed";
    public const string StorageFull = "storage_full";
    public const string BackupOverdue = "backup_overdue";

    /// <summary>A restore failed or was rolled back (high), or could not even be rolled back (critical: the site is in a state the message describes).</summary>
    public const string RestoreFailed = "restore_failed";

    /// <summary>The alert's id: one per type and subject, so raising it again replaces it.</summary>
    public static string IdFor(string type, string configId, string? backupId = null, int? copy = null) =>
        string.Join('_', new[] { type, configId, backupId, copy?.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Where(p => p is not null));
}
