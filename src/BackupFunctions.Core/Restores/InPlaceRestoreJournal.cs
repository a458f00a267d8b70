namespace BackupFunctions.Core.Restores;

/// <summary>
/// The journal of an in-place restore job (<c>journal.json</c> in its staging folder), replaced atomically (write a new
/// file, rename it over the old) before and after every rename of a live component, so that a retry after a crash and a
/// rollback know where each component stands.
/// </summary>
internal sealed record InPlaceRestoreJournal(string JobId, IReadOnlyList<InPlaceComponentState> Components, InPlaceRestoreCounts Counts)
{
    /// <summary>Set before the first set-aside folder is removed: from then on the job can only go forward.</summary>
    public bool Completing { get; init; }

    /// <summary>Set once a rollback has put every component back.</summary>
    public bool RolledBack { get; init; }
}
