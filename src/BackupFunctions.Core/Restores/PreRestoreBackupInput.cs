namespace BackupFunctions.Core.Restores;

/// <summary>The pre-restore backup's sub-orchestration finished: its backup id (null when it ended without a backup).</summary>
public sealed record PreRestoreBackupInput(RestoreJobPlan Plan, string BackupJobId, string? BackupId);
