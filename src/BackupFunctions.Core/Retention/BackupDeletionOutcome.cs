namespace BackupFunctions.Core.Retention;

/// <summary>What became of a request to delete one backup (<see cref="RetentionCleaner.DeleteAsync"/>).</summary>
public enum BackupDeletionOutcome
{
    /// <summary>Every copy and the row are gone.</summary>
    Removed,

    /// <summary>No such backup.</summary>
    NotFound,

    /// <summary>Refused before anything was touched (<see cref="BackupDeletion.Reason"/> says why); the backup is whole.</summary>
    Refused,

    /// <summary>A destination refused a delete because of a lock; the backup is kept (copies already emptied are marked failed).</summary>
    Locked,

    /// <summary>
    /// A destination failed part-way: the backup stays <c>deleting</c> (no longer a restore point) and retention finishes
    /// it on its next run, or a repeated request does.
    /// </summary>
    Failed,
}
