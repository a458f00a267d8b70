namespace BackupFunctions.Core.Archive;

/// <summary>
/// Cuts a site's entries, as the walk lists them, into volumes (docs/format.md, volumes): every entry in exactly one
/// volume, each volume's entries in walk order, volumes numbered from 1 without gaps in the order they are opened.
/// </summary>
/// <remarks>
/// <para>A volume is closed when the next entry would take it past <see cref="VolumeLimits.MaxBytes"/> (unless it is
/// still empty) or past <see cref="VolumeLimits.MaxEntries"/>. So a file bigger than a volume gets a volume of its own,
/// and a folder's files may span several volumes (a reader creates a folder whose entry is in another volume).</para>
/// <para>Files for which <c>separate</c> holds (files stored uncompressed because they are already compressed: the
/// classifier of issue 14 item 3) go into volumes of their own, cut by the same limits, so a volume is either all
/// separated files or none; <see cref="SeparateVolumes"/> names those volumes. Folders and links are never separated.</para>
/// <para>Pure: no I/O. Entries stream through (one lane's counters per kind of volume), so a plan of a million files
/// never sits in memory here; the totals are read after the enumeration has been consumed.</para>
/// </remarks>
public sealed class VolumePlanner(VolumeLimits limits, Func<SiteEntry, bool>? separate = null)
{
    private readonly Lane _main = new();
    private readonly Lane _separate = new();
    private readonly SortedSet<int> _separateVolumes = [];
    private int _volumes;

    /// <summary>Volumes opened (after the enumeration); at least 1, for an empty site has an empty volume 1 too.</summary>
    public int Volumes => Math.Max(_volumes, 1);

    public long Files { get; private set; }

    public long Folders { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>The volumes that hold only separated files.</summary>
    public IReadOnlyCollection<int> SeparateVolumes => _separateVolumes;

    /// <summary>Assigns each entry its volume, lazily, in the order given (the walk order).</summary>
    public IEnumerable<PlannedEntry> Plan(IEnumerable<SiteEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limits.MaxEntries, 1);
        foreach (var entry in entries)
        {
            var isFile = entry.Type == FileIndexEntry.FileType;
            var lane = isFile && separate is not null && separate(entry) ? _separate : _main;
            var size = isFile ? entry.Size : 0;
            if (lane.Volume == 0 || lane.Entries >= limits.MaxEntries || (lane.Entries > 0 && lane.Bytes + size > limits.MaxBytes))
            {
                lane.Volume = ++_volumes;
                lane.Bytes = 0;
                lane.Entries = 0;
                if (lane == _separate)
                    _separateVolumes.Add(lane.Volume);
            }
            lane.Bytes += size;
            lane.Entries++;
            if (entry.Type == FileIndexEntry.DirectoryType)
                Folders++;
            else
                Files++;
            Bytes += size;
            yield return new PlannedEntry(entry, lane.Volume);
        }
    }

    private sealed class Lane
    {
        public int Volume;
        public long Bytes;
        public int Entries;
    }
}
