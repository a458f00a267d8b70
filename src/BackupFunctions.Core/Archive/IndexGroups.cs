using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The groups of a backup's file index (which volume of which backup each group's entries are read from) and the index
/// contract of docs/format.md ("Files volumes", "Incremental
/// backups"), checked entry by entry as the index is read: first the backup's own volumes, volume by volume in
/// ascending number; then the entries pointing into earlier backups, grouped by (backup, volume), the groups in the
/// order <c>references</c> lists the backups and, within one, its volumes ascending. Only files point elsewhere.
/// </summary>
/// <remarks>
/// A breach is damage (<see cref="IntegrityException"/> for <c>index.bin</c>): an entry naming a volume or backup the
/// manifest does not list would be skipped by every reader (a file silently missing from the restore), one naming the
/// backup itself or out of order breaks the one-pass split readers rely on. The order is <see cref="IndexGroupOrder"/>'s
/// (the writer's own check); this adds where each entry goes and that every referenced volume has an entry. Used by the
/// restore's split of the index (<c>BackupVolumes</c>), the preview and deep verification, so that what verifies restores.
/// </remarks>
public sealed class IndexGroups
{
    private readonly IndexGroupOrder _order;
    private readonly Dictionary<(string? Backup, string Volume), int> _positions = [];
    private readonly long[] _counts;

    /// <param name="manifest">An authenticated manifest (its references already checked by <see cref="ManifestReferences.Check"/>).</param>
    public IndexGroups(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _order = new IndexGroupOrder(manifest);
        var groups = new List<IndexGroup>();
        foreach (var volume in ManifestVolumes.Of(manifest))
            groups.Add(IndexGroup.Own(volume.Name));
        Own = groups.Count;
        foreach (var reference in ManifestReferences.Of(manifest))
        {
            foreach (var volume in reference.Objects.OrderBy(o => ManifestVolumes.Number(o.Name)))
                groups.Add(new IndexGroup(reference.BackupId, volume.Name));
        }
        for (var i = 0; i < groups.Count; i++)
            _positions[(groups[i].Backup, groups[i].Volume)] = i;
        Groups = groups;
        _counts = new long[groups.Count];
    }

    /// <summary>Own volumes (ascending), then the referenced ones, in the index's order.</summary>
    public IReadOnlyList<IndexGroup> Groups { get; }

    /// <summary>How many of <see cref="Groups"/> (the first ones) are the backup's own volumes.</summary>
    public int Own { get; }

    /// <summary>Entries placed in each group so far.</summary>
    public long Count(int group) => _counts[group];

    /// <summary>The position in <see cref="Groups"/> of the index's next entry, checked against the contract (<see cref="IndexGroupOrder"/>).</summary>
    /// <exception cref="IntegrityException">For <c>index.bin</c>: the entry breaks the contract; the message says how.</exception>
    public int Place(FileIndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _order.Check(entry);
        // The order check lets through only entries of listed groups, in order.
        var at = _positions[(entry.Backup, entry.Volume)];
        _counts[at]++;
        return at;
    }

    /// <summary>
    /// After the index's last entry: every referenced volume must have had an entry (<c>references</c> lists exactly
    /// the volumes the index points into).
    /// </summary>
    /// <exception cref="IntegrityException">For <c>index.bin</c>, naming the referenced volume without entries.</exception>
    public void End()
    {
        for (var i = Own; i < Groups.Count; i++)
        {
            if (_counts[i] == 0)
                throw Damaged($"the manifest references {Groups[i].Label}, but no entry of the index points into it");
        }
    }

    private static IntegrityException Damaged(string reason) => new(Backups.ObjectNames.Index, reason);
}
