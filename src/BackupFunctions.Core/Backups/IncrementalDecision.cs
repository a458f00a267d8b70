namespace BackupFunctions.Core.Backups;

/// <summary>What an <c>incremental</c> config's run does: compare with <see cref="BaseBackupId"/>, or a full backup and why.</summary>
public sealed record IncrementalDecision(string? BaseBackupId, string Reason)
{
    public bool IsIncremental => BaseBackupId is not null;
}
