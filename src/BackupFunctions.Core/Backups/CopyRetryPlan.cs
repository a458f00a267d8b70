namespace BackupFunctions.Core.Backups;

/// <summary>
/// What a retry of a backup's failed copies does: the backup's plan rebuilt from its catalog row (primary and
/// replicas as they were when it was made), the copies to make again, and the manifest they must match.
/// </summary>
public sealed record CopyRetryPlan(BackupPlan Plan, IReadOnlyList<int> FailedCopies, string ManifestSha256);
