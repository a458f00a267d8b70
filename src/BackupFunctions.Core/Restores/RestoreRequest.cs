using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Restore one backup from a destination. Either target may be left out to restore only the other.
/// </summary>
/// <param name="Store">The destination holding the backup.</param>
/// <param name="Prefix">The config's storage prefix (the part of object names before <c>backups/</c>).</param>
/// <param name="BackupId">The backup to restore.</param>
/// <param name="TargetDirectory">A folder that does not exist or is empty; the site files land there.</param>
/// <param name="TargetDatabase">A database that does not exist yet; it is created.</param>
public sealed record RestoreRequest(IBackupStore Store, string Prefix, string BackupId, string? TargetDirectory, PostgresConnectionInfo? TargetDatabase)
{
    /// <summary>
    /// Restores only the files whose '/'-separated relative path this accepts (plus the folders above them); null
    /// restores every file. The database is not affected.
    /// </summary>
    public Func<string, bool>? Include { get; init; }

    /// <summary>
    /// Accept a backup made without encryption (no key, no MAC). Off by default: otherwise a replaced manifest could
    /// downgrade an encrypted backup to an unauthenticated one.
    /// </summary>
    public bool AllowUnencrypted { get; init; }

    /// <summary>Files volumes downloaded, decrypted, decompressed and extracted at the same time (1 or more).</summary>
    public int MaxParallelVolumes { get; init; } = BackupVolumes.DefaultParallelism;

    public string Folder => Backups.ObjectNames.BackupFolder(Prefix, BackupId);
}
