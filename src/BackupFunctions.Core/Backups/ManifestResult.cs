using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The committed manifest: its name, hash and size, the statistics it records, its type, its base backup and the
/// backups it references (empty for a backup that holds all its files itself), which the catalog records.
/// </summary>
public sealed record ManifestResult(
    string ManifestName,
    string Sha256,
    long Size,
    DateTimeOffset CompletedAt,
    BackupStatistics Statistics,
    string Type = BackupTypes.Full,
    string? BaseBackupId = null,
    IReadOnlyList<string>? ReferencedBackupIds = null);
