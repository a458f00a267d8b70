namespace BackupFunctions.Core.Restores;

/// <summary>The input of a restore orchestration: the job (its row holds the backup, the options and the config).</summary>
public sealed record RestoreJobRequest(string RestoreJobId);
