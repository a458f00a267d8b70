using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Format;

/// <summary>
/// Checks, entry by entry, that an index keeps the order and the targets of docs/format.md (volumes, incremental
/// backups): first the backup's own volumes' entries, volume by volume ascending; then the entries that point into
/// other backups, grouped by (backup, volume), the backups in the order of the manifest's <c>references</c> and each
/// backup's volumes ascending. Only files point elsewhere, and only at volumes the references list.
/// </summary>
/// <remarks>
/// Without this a reader that filters the index by volume would silently skip an entry that names a volume nobody
/// reads: a file missing from the restore. Every violation is an <see cref="IntegrityException"/> for <c>index.bin</c>.
/// </remarks>
public sealed class IndexGroupOrder
{
    private readonly BackupManifest _manifest;
    private readonly HashSet<string> _ownVolumes;
    private readonly Dictionary<string, (int Position, HashSet<string> Volumes)> _references = new(StringComparer.Ordinal);
    private (int Holder, int Volume) _last = (-1, 0);

    public IndexGroupOrder(BackupManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        _manifest = manifest;
        _ownVolumes = [.. ManifestVolumes.Of(manifest).Select(v => v.Name)];
        var position = 0;
        foreach (var reference in ManifestReferences.Of(manifest))
            _references[reference.BackupId] = (position++, [.. reference.Objects.Select(o => o.Name)]);
    }

    /// <summary>Checks the next entry of the index; throws <see cref="IntegrityException"/> for <c>index.bin</c> when it breaks the order.</summary>
    public void Check(FileIndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        int holder;
        if (entry.Backup is null)
        {
            if (!_ownVolumes.Contains(entry.Volume))
                throw Damaged(entry, $"names the volume '{entry.Volume}', which the manifest does not list");
            holder = -1;
        }
        else
        {
            if (entry.Type != FileIndexEntry.FileType)
                throw Damaged(entry, $"a {entry.Type} that points into backup '{entry.Backup}' (only files may)");
            if (entry.Backup == _manifest.BackupId)
                throw Damaged(entry, "points into its own backup by id (entries of this backup name no backup)");
            if (!_references.TryGetValue(entry.Backup, out var reference))
                throw Damaged(entry, $"points into backup '{entry.Backup}', which the manifest's references do not list");
            if (!reference.Volumes.Contains(entry.Volume))
                throw Damaged(entry, $"points at {entry.Volume} of backup '{entry.Backup}', which the reference does not list");
            holder = reference.Position;
        }

        var key = (holder, ManifestVolumes.Number(entry.Volume));
        if (key.holder < _last.Holder || (key.holder == _last.Holder && key.Item2 < _last.Volume))
        {
            throw Damaged(entry, entry.Backup is null
                ? $"an entry of {entry.Volume} after those of a later volume or of another backup (own volumes come first, ascending)"
                : $"an entry of {entry.Volume} of backup '{entry.Backup}' out of order (references in the manifest's order, volumes ascending)");
        }
        _last = key;
    }

    private static IntegrityException Damaged(FileIndexEntry entry, string reason)
        => new(Backups.ObjectNames.Index, $"{entry.Path}: {reason}");
}
