namespace BackupFunctions.Core.Backups;

/// <summary>What became of a cancel request.</summary>
public enum JobCancelOutcome
{
    /// <summary>The job is stopping (or has stopped); it ends <c>cancelled</c>.</summary>
    Accepted,

    /// <summary>No such job.</summary>
    NotFound,

    /// <summary>The job had already ended (completed, with warnings, failed, cancelled, skipped): nothing to cancel.</summary>
    AlreadyFinished,
}
