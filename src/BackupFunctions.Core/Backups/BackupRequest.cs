namespace BackupFunctions.Core.Backups;

/// <summary>The input of a backup orchestration: which job (also the orchestration instance id) runs which config.</summary>
public sealed record BackupRequest(string JobId, string ConfigId);
