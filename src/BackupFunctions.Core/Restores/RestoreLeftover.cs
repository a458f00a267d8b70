using System.Text.RegularExpressions;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// A staging or set-aside folder of an in-place restore job found in a site root
/// (<see cref="InPlaceFileRestore.FindLeftovers"/>, <see cref="InPlaceFileRestore.CleanupLeftovers"/>, and for a site
/// that is not a local folder <see cref="RemoteInPlaceFileRestore.CleanupLeftoversAsync"/>).
/// </summary>
/// <param name="JobId">The restore job that left it.</param>
/// <param name="Path">Its full path.</param>
/// <param name="Kind"><see cref="StagingKind"/> or <see cref="SetAsideKind"/>.</param>
/// <param name="Outcome">After a cleanup: <see cref="RolledBack"/>, <see cref="Completed"/>, <see cref="Running"/> or <see cref="Left"/>; null when only found.</param>
public sealed partial record RestoreLeftover(string JobId, string Path, string Kind, string? Outcome = null)
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

    /// <summary>
    /// The job's swap had begun on a target that cannot rename folders (Blob): its staging was removed, the live
    /// component stays as the swap left it (the job's pre-restore backup is the way back).
    /// </summary>
    public const string NotReverted = "not reverted";

    /// <summary>The name of a restore job's staging folder in the site root: this prefix and the job id.</summary>
    internal const string StagingPrefix = ".bf-restore-";

    /// <summary>A component set aside by a swap: the component's name, this infix and the job id.</summary>
    internal const string SetAsideInfix = ".replaced-";

    /// <summary>Whether <paramref name="id"/> can be a restore job id (1 to 64 letters, digits, '-' or '_'): it becomes part of names in the site.</summary>
    internal static bool IsJobId(string? id) => id is not null && JobIdPattern().IsMatch(id);

    /// <summary>The leftover an entry named <paramref name="name"/> in a site root is (at <paramref name="path"/>), or null when it is none.</summary>
    internal static RestoreLeftover? Of(string name, string path)
    {
        if (name.StartsWith(StagingPrefix, StringComparison.Ordinal) && IsJobId(name[StagingPrefix.Length..]))
            return new RestoreLeftover(name[StagingPrefix.Length..], path, StagingKind);
        var at = name.LastIndexOf(SetAsideInfix, StringComparison.Ordinal);
        return at > 0 && IsJobId(name[(at + SetAsideInfix.Length)..])
            ? new RestoreLeftover(name[(at + SetAsideInfix.Length)..], path, SetAsideKind)
            : null;
    }

    /// <summary>
    /// The jobs that left <paramref name="found"/>, each with its outcome when nothing is to be done — still running, or
    /// set-aside folders without the staging (so without the journal that says what they should be) — or null when the
    /// caller is to end the job (complete it or roll it back, as its journal says).
    /// </summary>
    internal static IEnumerable<(string JobId, string? Outcome)> Triage(IReadOnlyList<RestoreLeftover> found, IReadOnlySet<string> runningJobIds)
    {
        foreach (var job in found.Select(f => f.JobId).Distinct(StringComparer.Ordinal))
        {
            if (runningJobIds.Contains(job))
                yield return (job, Running);
            else if (!found.Any(f => f.JobId == job && f.Kind == StagingKind))
                yield return (job, Left);
            else
                yield return (job, null);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex JobIdPattern();
}
