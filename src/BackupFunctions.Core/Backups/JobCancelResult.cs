using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Backups;

/// <summary>The outcome of a cancel request and the job as it is now (null when not found).</summary>
public sealed record JobCancelResult(JobCancelOutcome Outcome, BackupJob? Job);
