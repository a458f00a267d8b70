using BackupFunctions.Core.Retention;

namespace BackupFunctions.Http;

/// <summary>
/// The answer to DELETE /api/backup-configs/{id}: which config went and whether its backups went with it. With
/// <c>deleteBackups</c> false every backup stays, listed and restorable under <see cref="Id"/> and <see cref="Name"/>;
/// with true, <see cref="BackupsRemoved"/> went and <see cref="BackupsKept"/> stayed (locked, being restored, or a
/// removal that failed and is finished by a later cleanup), with the details in <see cref="Removal"/>.
/// </summary>
public sealed record DeletedBackupConfigView(
    string Id,
    string Name,
    DateTimeOffset DeletedAt,
    bool DeleteBackups,
    int BackupsRemoved,
    IReadOnlyList<string> BackupsKept,
    RetentionReport? Removal);
