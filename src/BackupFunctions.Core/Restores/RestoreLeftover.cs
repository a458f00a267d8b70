namespace BackupFunctions.Core.Restores;

/// <summary>
/// A staging or set-aside folder of an in-place restore job found in a site root
/// (<see cref="InPlaceFileRestore.FindLeftovers"/>, <see cref="InPlaceFileRestore.CleanupLeftovers"/>).
/// </summary>
/// <param name="JobId">The restore job that left it.</param>
/// <param name="Path">Its full path.</param>
/// <param name="Kind"><see cref="StagingKind"/> or <see cref="SetAsideKind"/>.</param>
/// <param name="Outcome">After a cleanup: <see cref="RolledBack"/>, <see cref="Completed"/>, <see cref="Running"/> or <see cref="Left"/>; null when only found.</param>
public sealed record RestoreLeftover(string JobId, string Path, string Kind, string? Outcome = null)
{
    public const string StagingKind = "staging";
    public const string SetAsideKind = "set-aside";

    /// <summary>The job had not begun completing: its set-aside folders were put back and its staging removed.</summary>
    public const string RolledBack = "rolled back";

    /// <summary>The job had begun completing (every component swapped and verified): the completion was finished.</summary>
    public const string Completed = "completed";

    /// <summary>The job is still running: left alone.</summary>
    public const string Running = "running";

    /// <summary>A set-aside folder without its job's staging folder (so without a journal): left for the operator.</summary>
    public const string Left = "left";
}
