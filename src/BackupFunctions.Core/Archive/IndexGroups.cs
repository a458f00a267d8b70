using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The groups of a backup's file index and the index contract of docs/format.md ("Files volumes", "Incremental
/// backups"), checked entry by entry as the index is read: first the backup's own volumes, volume by volume in
/// ascending number; then the entries pointing into earlier backups, grouped by (backup, volume), the groups in the
/// order <c>references</c> lists the backups and, within one, its volumes ascending. Only files point elsewhere.
/// </summary>
/// <remarks>
/// A breach is damage (<see cref="IntegrityException"/> for <c>index.bin</c>): an entry naming a volume or backup the
/// manifest does not list would be skipped by every reader (a file silently missing from the restore), one naming the
/// backup itself or out of order breaks the one-pass split readers rely on. Used by the restore's split of the index
/// (<c>BackupVolumes</c>) and by deep verification, so that what verifies restores.
/// </remarks>
public sealed class IndexGroups
{
    private readonly string _backupId;
    private readonly Dictionary<(string? Backup, string Volume), int> _positions = [];
    private readonly long[] _counts;
    private int _current;

    /// <param name="manifest">An authenticated manifest (its references already checked by <see cref="ManifestReferences.Check"/>).</param>
    public IndexGroups(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _backupId = manifest.BackupId;
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

    /// <summary>The position in <see cref="Groups"/> of the index's next entry, checked against the contract.</summary>
    /// <exception cref="IntegrityException">For <c>index.bin</c>: the entry breaks the contract; the message says how.</exception>
    public int Place(FileIndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        int at;
        if (entry.Backup is not { } backup)
        {
            if (!_positions.TryGetValue((null, entry.Volume), out at))
                throw Damaged($"{entry.Path}: names the volume '{entry.Volume}', which the manifest does not list");
        }
        else
        {
            if (entry.Type != FileIndexEntry.FileType)
                throw Damaged($"{entry.Path}: a {entry.Type} that points into backup '{backup}' (only files may)");
            if (string.Equals(backup, _backupId, StringComparison.Ordinal))
                throw Damaged($"{entry.Path}: points into this backup itself ('backup' names its own id)");
            if (!_positions.TryGetValue((backup, entry.Volume), out at))
                throw Damaged($"{entry.Path}: points into {Printable(backup)}/{Printable(entry.Volume)}, which the manifest's references do not list");
        }

        if (at < _current)
        {
            throw Damaged($"{entry.Path}: an entry of {Groups[at].Label} after those of {Groups[_current].Label} (the index lists its own volumes "
                + "ascending, then the referenced ones in the order of the references)");
        }
        _current = at;
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

    private static string Printable(string value)
        => new([.. value.Take(80).Select(c => char.IsControl(c) ? '?' : c)]);

    private static IntegrityException Damaged(string reason) => new(Backups.ObjectNames.Index, reason);
}
