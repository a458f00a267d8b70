using System.Globalization;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Whether a run of an <c>incremental</c> config is incremental, and on which base (docs/design.md, "Incremental
/// backups"). Pure: the callers (the PlanBackup activity from the catalog, backupctl from a destination) gather the facts.
/// </summary>
/// <remarks>
/// The base is the newest earlier backup of the config that holds files. It must be usable: a suspect base (failed
/// verification) would spread its damage to every later backup, and one being deleted may already miss volumes. Then a
/// full backup is made instead of looking further back, so a chain never skips a backup silently. After
/// <c>fullEvery</c> incrementals in a row the next run is full: a chain's restore reads from as many backups as it is
/// long, and retention can drop a chain only as a whole.
/// </remarks>
public static class IncrementalPolicy
{
    /// <summary>Picks the base among <paramref name="earlier"/> (any order), or says why there is none.</summary>
    public static IncrementalDecision ChooseBase(IReadOnlyList<BaseCandidate> earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        var newest = earlier.Where(b => b.HoldsFiles)
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        if (newest is null)
            return new IncrementalDecision(null, "full: no earlier backup of this config holds files");
        if (newest.Unusable is { } why)
            return new IncrementalDecision(null, $"full: the newest backup {newest.Id} {why}");
        return new IncrementalDecision(newest.Id, $"incremental on {newest.Id}");
    }

    /// <summary>
    /// Checks the chain of the chosen base: <paramref name="chainTypes"/> are the types of the base, its base, … as far
    /// as known (at least <paramref name="fullEvery"/> of them when the chain is that long). Full when the base and the
    /// backups before it are already <paramref name="fullEvery"/> incrementals in a row.
    /// </summary>
    public static IncrementalDecision CheckChain(IncrementalDecision chosen, IReadOnlyList<string> chainTypes, int fullEvery)
    {
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(chainTypes);
        ArgumentOutOfRangeException.ThrowIfLessThan(fullEvery, 1);
        if (!chosen.IsIncremental)
            return chosen;
        var inARow = chainTypes.TakeWhile(t => t == BackupTypes.Incremental).Count();
        return inARow >= fullEvery
            ? new IncrementalDecision(null, string.Create(CultureInfo.InvariantCulture, $"full: {inARow} incremental backups since the last full one (fullEvery {fullEvery})"))
            : chosen;
    }
}
