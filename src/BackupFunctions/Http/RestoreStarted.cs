namespace BackupFunctions.Http;

/// <summary>The answer to a restore that started (202): its job, followed at <c>/api/restore-jobs/{restoreJobId}</c>, and the backup it restores.</summary>
public sealed record RestoreStarted(string RestoreJobId, string BackupId);
