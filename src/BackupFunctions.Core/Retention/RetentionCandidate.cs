namespace BackupFunctions.Core.Retention;

/// <summary>One backup as the planner sees it.</summary>
/// <param name="Successful">It completed and passed verification (failed or suspect backups never fill a bucket).</param>
/// <param name="BaseBackupId">The backup this one is incremental on, or null for a full backup.</param>
/// <param name="LockedUntil">The latest immutability lock on any of its copies, or null.</param>
/// <param name="Trigger">What started the backup (<see cref="Catalog.BackupRecord.Trigger"/>); <c>pre-restore</c> backups are kept a while whatever the rules say.</param>
public sealed record RetentionCandidate(
    string Id, DateTimeOffset CreatedAt, bool Successful, string? BaseBackupId = null, DateTimeOffset? LockedUntil = null, string? Trigger = null);
