using System.Security.Cryptography;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// An incremental backup's comparison of the site with its base's file index (docs/format.md, "Incremental
/// backups"): which listed entries must be stored anew, and, for the files that did not change, the base's index
/// entries that point at the backup and volume already holding them.
/// </summary>
/// <remarks>
/// <para>Three steps, each streaming: <see cref="LoadAsync"/> keeps one small record per file of the base (path, size,
/// time, mode, and the hash only when comparing by hash) — about 150 bytes a file, the one part of a backup's memory that
/// grows with the site (15 MiB for 100,000 files); <see cref="Changed"/> filters the walk; <see cref="WriteUnchangedAsync"/>
/// reads the base index a second time and writes the unchanged files' entries in the base's order, which is the order
/// the format asks for (a subsequence of each referenced volume's tar).</para>
/// <para>A file is unchanged when the base has a file at the same path with the same size, modification time (to the
/// tick) and mode, and, when comparing by hash, the same SHA-256 of the file as it reads now. Folders and links are
/// always stored anew: they have no content to share, and their modes and times are taken fresh.</para>
/// </remarks>
public sealed class BaseComparison
{
    private readonly Dictionary<string, BaseFile> _files = new(StringComparer.Ordinal);
    private readonly BackupManifest _base;
    private readonly bool _compareHash;

    private BaseComparison(BackupManifest baseManifest, bool compareHash)
    {
        _base = baseManifest;
        _compareHash = compareHash;
    }

    /// <summary>The base backup's id.</summary>
    public string BaseBackupId => _base.BackupId;

    /// <summary>Files of the site that the base does not have (as files).</summary>
    public long Added { get; private set; }

    /// <summary>Files the base has whose size, time, mode (or content) differ.</summary>
    public long Modified { get; private set; }

    /// <summary>Files whose entries point at the backup holding them.</summary>
    public long Unchanged { get; private set; }

    /// <summary>Bytes of the unchanged files.</summary>
    public long UnchangedBytes { get; private set; }

    /// <summary>Files of the base that are gone or no longer files (after <see cref="Changed"/> has been enumerated).</summary>
    public long Deleted => _files.Count - Unchanged - Modified;

    /// <summary>
    /// Reads the base's index (<paramref name="baseIndex"/>, from its start) and checks its order and targets against
    /// the base's verified manifest on the way.
    /// </summary>
    /// <exception cref="IntegrityException">The base's index is damaged (a path twice, an entry out of order or naming a volume its manifest does not list).</exception>
    public static async Task<BaseComparison> LoadAsync(
        BackupManifest baseManifest, IAsyncEnumerable<FileIndexEntry> baseIndex, bool compareHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseManifest);
        ArgumentNullException.ThrowIfNull(baseIndex);
        var comparison = new BaseComparison(baseManifest, compareHash);
        var order = new IndexGroupOrder(baseManifest);
        await foreach (var entry in baseIndex.WithCancellation(cancellationToken))
        {
            order.Check(entry);
            if (entry.Type != FileIndexEntry.FileType)
                continue;
            var file = new BaseFile(entry.Size, entry.ModifiedAt.UtcTicks, entry.Mode, compareHash ? entry.Sha256 : null);
            if (!comparison._files.TryAdd(entry.Path, file))
                throw new IntegrityException(Backups.ObjectNames.Index, $"{entry.Path}: listed twice in the index of backup '{baseManifest.BackupId}'");
        }
        return comparison;
    }

    /// <summary>
    /// The entries of <paramref name="walk"/> to store in this backup: every folder and link, and the files that are
    /// new or changed. Unchanged files are left out and counted. With compare <c>hash</c>, files whose metadata match
    /// are read through <paramref name="source"/> and hashed.
    /// </summary>
    public IEnumerable<SiteEntry> Changed(IEnumerable<SiteEntry> walk, ISiteSource source)
    {
        ArgumentNullException.ThrowIfNull(walk);
        ArgumentNullException.ThrowIfNull(source);
        foreach (var entry in walk)
        {
            if (entry.Type != FileIndexEntry.FileType)
            {
                yield return entry;
                continue;
            }
            if (!_files.TryGetValue(entry.Path, out var known))
            {
                Added++;
                yield return entry;
                continue;
            }
            if (known.Size == entry.Size && known.ModifiedAtTicks == entry.ModifiedAt.UtcTicks && known.Mode == entry.Mode
                && (!_compareHash || SameContent(source, entry.Path, known.Sha256)))
            {
                known.Unchanged = true;
                Unchanged++;
                UnchangedBytes += entry.Size;
                continue;
            }
            Modified++;
            yield return entry;
        }
    }

    /// <summary>
    /// Reads the base's index again (<paramref name="baseIndex"/>, from its start) and writes to <paramref name="output"/>
    /// the entries of the unchanged files, each pointing at the backup that holds it (the base, or the backup the base's
    /// entry points at), in the base's order. Returns the references those entries need, in the order the format asks
    /// for, each volume as its holder's manifest lists it.
    /// </summary>
    public async Task<IReadOnlyList<BackupReference>> WriteUnchangedAsync(
        IAsyncEnumerable<FileIndexEntry> baseIndex, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseIndex);
        ArgumentNullException.ThrowIfNull(output);
        var holders = new List<(string BackupId, SortedDictionary<int, StoredPart> Volumes)>();
        var unchanged = UnchangedEntries(baseIndex, holders, cancellationToken);
        await FileIndex.WriteAsync(unchanged, output, cancellationToken);
        return [.. holders.Select(h => new BackupReference(h.BackupId, [.. h.Volumes.Values]))];
    }

    private async IAsyncEnumerable<FileIndexEntry> UnchangedEntries(
        IAsyncEnumerable<FileIndexEntry> baseIndex, List<(string BackupId, SortedDictionary<int, StoredPart> Volumes)> holders,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var written = 0L;
        await foreach (var entry in baseIndex.WithCancellation(cancellationToken))
        {
            if (entry.Type != FileIndexEntry.FileType || !_files.TryGetValue(entry.Path, out var known) || !known.Unchanged)
                continue;
            var holder = entry.Backup ?? _base.BackupId;
            var at = holders.FindIndex(h => h.BackupId == holder);
            if (at < 0)
            {
                holders.Add((holder, new SortedDictionary<int, StoredPart>()));
                at = holders.Count - 1;
            }
            var number = ManifestVolumes.Number(entry.Volume);
            if (!holders[at].Volumes.ContainsKey(number))
                holders[at].Volumes[number] = VolumeOf(holder, entry.Volume);
            written++;
            yield return entry with { Backup = holder };
        }
        if (written != Unchanged)
            throw new IntegrityException(Backups.ObjectNames.Index, $"the index of backup '{_base.BackupId}' read differently the second time ({written} of {Unchanged} unchanged files)");
    }

    /// <summary>The holder's volume as the base's manifest lists it: among its objects, or under its references.</summary>
    private StoredPart VolumeOf(string holder, string volume)
    {
        var parts = holder == _base.BackupId
            ? _base.Objects
            : ManifestReferences.Of(_base).Single(r => r.BackupId == holder).Objects;
        return parts.Single(p => p.Name == volume && p.Kind == ManifestVolumes.FilesKind);
    }

    private static bool SameContent(ISiteSource source, string path, string? sha256)
    {
        if (sha256 is null)
            return false;
        using var file = source.OpenFile(path);
        if (file is null)
            return false;
        using var content = file.OpenRead();
        var now = Convert.ToHexStringLower(SHA256.HashData(content));
        return CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(now), System.Text.Encoding.ASCII.GetBytes(sha256));
    }

    private sealed class BaseFile(long size, long modifiedAtTicks, int mode, string? sha256)
    {
        public long Size { get; } = size;
        public long ModifiedAtTicks { get; } = modifiedAtTicks;
        public int Mode { get; } = mode;
        public string? Sha256 { get; } = sha256;
        public bool Unchanged { get; set; }
    }
}
