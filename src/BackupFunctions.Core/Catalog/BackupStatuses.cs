namespace BackupFunctions.Core.Catalog;

/// <summary>The words of <see cref="BackupRecord.Status"/>.</summary>
public static class BackupStatuses
{
    /// <summary>Every copy was made and passed its verification.</summary>
    public const string Completed = "completed";

    /// <summary>The primary is good, but a replica could not be made (it can be retried).</summary>
    public const string CompletedWithWarnings = "completed_with_warnings";

    /// <summary>A copy failed verification: the backup is suspect and never used as an incremental base.</summary>
    public const string VerificationFailed = "verification_failed";

    /// <summary>
    /// Retention is removing it: its objects may be partly gone, so it is no restore point, no incremental base and is
    /// not verified. Retention finishes such a backup on its next run, before anything else.
    /// </summary>
    public const string Deleting = "deleting";
}
