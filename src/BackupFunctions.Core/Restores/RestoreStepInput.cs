namespace BackupFunctions.Core.Restores;

/// <summary>A step after the database restore: whether the database has (possibly) been replaced by then.</summary>
/// <param name="DatabaseRestored">
/// The database step returned: without a pre-restore backup nothing can put the database back, so from here on a
/// cancel is too late and the step does not stop for it.
/// </param>
public sealed record RestoreStepInput(RestoreJobPlan Plan, bool DatabaseRestored);
