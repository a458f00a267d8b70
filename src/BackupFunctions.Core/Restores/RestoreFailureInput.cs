using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// A restore that did not go through, and what the orchestration did about it: from these facts
/// <see cref="RestoreJobRunner.FailAsync"/> decides the job's end (cancelled, failed, rolled_back) and words the state
/// the site is left in.
/// </summary>
/// <param name="JobId">The restore job.</param>
/// <param name="Error">The failure (the step that failed and its message), or the cancel.</param>
/// <param name="Plan">The plan, when the job got that far.</param>
public sealed record RestoreFailureInput(string JobId, string Error, RestoreJobPlan? Plan)
{
    /// <summary>Stopped on request.</summary>
    public bool Cancelled { get; init; }

    /// <summary>The swap of the live components had begun.</summary>
    public bool FilesSwapped { get; init; }

    /// <summary>The database restore may have committed.</summary>
    public bool DatabaseChanged { get; init; }

    /// <summary>The live components were put back (the staging is removed in any case).</summary>
    public bool FilesRolledBack { get; init; }

    /// <summary>The database was restored from the pre-restore backup.</summary>
    public bool DatabaseRolledBack { get; init; }

    /// <summary>Why a part of the rollback did not work, one line each.</summary>
    public IReadOnlyList<string> RollbackErrors { get; init; } = [];

    /// <summary>What the files restore had done before it was undone.</summary>
    public InPlaceRestoreCounts? Files { get; init; }

    /// <summary>What the database restore had done before it was undone.</summary>
    public IReadOnlyList<TableRowCount>? Tables { get; init; }
}
