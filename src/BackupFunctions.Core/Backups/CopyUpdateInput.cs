namespace BackupFunctions.Core.Backups;

/// <summary>The outcomes of retried copies, to be written into the backup's row.</summary>
public sealed record CopyUpdateInput(BackupPlan Plan, IReadOnlyList<CopyOutcome> Copies);
