namespace BackupFunctions.Core.Retention;

/// <summary>One backup as the planner sees it.</summary>
/// <param name="Successful">It completed and passed verification (failed or suspect backups never fill a bucket).</param>
/// <param name="BaseBackupId">The backup this one is incremental on, or null for a full backup.</param>
/// <param name="LockedUntil">The latest immutability lock on any of its copies, or null.</param>
/// <param name="Trigger">What started the backup (<see cref="Catalog.BackupRecord.Trigger"/>); <c>pre-restore</c> backups are kept a while whatever the rules say.</param>
/// <param name="ReferencedBackupIds">The backups its index points into (<see cref="Catalog.BackupRecord.ReferencedBackupIds"/>):
/// while it is kept, so are they. Null or empty: it holds all its files itself.</param>
/// <param name="Hold">Why it must stay whatever the rules say (a restore is reading it, a running backup uses it as its
/// base…); null when nothing holds it. A held backup keeps what it references, like any kept one.</param>
public sealed record RetentionCandidate(
    string Id, DateTimeOffset CreatedAt, bool Successful, string? BaseBackupId = null, DateTimeOffset? LockedUntil = null, string? Trigger = null,
    IReadOnlyList<string>? ReferencedBackupIds = null, string? Hold = null);
