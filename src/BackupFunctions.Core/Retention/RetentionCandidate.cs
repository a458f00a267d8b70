namespace BackupFunctions.Core.Retention;

/// <summary>One backup as the planner sees it.</summary>
/// <param name="Successful">It completed and passed verification (failed or suspect backups never fill a bucket).</param>
/// <param name="BaseBackupId">The backup this one is incremental on, or null for a full backup.</param>
/// <param name="LockedUntil">The latest immutability lock on any of its copies, or null.</param>
public sealed record RetentionCandidate(string Id, DateTimeOffset CreatedAt, bool Successful, string? BaseBackupId = null, DateTimeOffset? LockedUntil = null);
