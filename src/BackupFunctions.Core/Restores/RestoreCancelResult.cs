using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Restores;

/// <summary>What a cancel request did: accepted (the job as written), the job had already ended, or there is no such job.</summary>
public sealed record RestoreCancelResult(JobCancelOutcome Outcome, RestoreJob? Job);
