namespace BackupFunctions.Core.Backups;

/// <summary>A failed run: the job and the error to show the user.</summary>
public sealed record FailureInput(string JobId, string Error, BackupPlan? Plan);
