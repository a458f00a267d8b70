namespace BackupFunctions.Core.Retention;

/// <summary>The answer to a request to delete one backup: the outcome and, unless removed, why.</summary>
/// <param name="Rule">For <see cref="BackupDeletionOutcome.Refused"/>: which rule refused it (<see cref="BackupDeletion"/> constants).</param>
public sealed record BackupDeletion(BackupDeletionOutcome Outcome, string? Reason = null, string? Rule = null)
{
    public const string LockedRule = "locked";
    public const string ReferencedRule = "referenced";
    public const string NewestRule = "newest";
    public const string RestoringRule = "restoring";
    public const string NoDestinationRule = "no_destination";
}
