using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Walks one volume's entries of the file index in step with the volume's tar. The backup writes both in the same order
/// (<see cref="SiteArchiver"/>), so each tar entry must be the next index entry of that volume: the index is never held,
/// only the current entry and the chain of folders above it. Entries of other volumes are skipped.
/// </summary>
/// <remarks>
/// Every mismatch throws <see cref="IntegrityException"/> naming the volume and the entry: an archive entry that is not
/// the next one of the index (missing from the index, or an index entry missing from the archive, or out of order), a
/// different type, a path listed twice in a row (archive or index), and children of a folder entry that do not come in
/// ordinal order — which is how the archiver writes them, so a path repeated inside a folder is caught as well.
/// <para>
/// Sparse (a group of entries pointing into an earlier backup's volume, <see cref="IndexGroup.IsReferenced"/>): the
/// group lists only some of the tar's files, in the tar's order. The caller asks <see cref="ListsAsync"/> about each tar
/// entry; one the group does not list next is read past unchecked (it belongs to the earlier backup's site, not to this
/// restore). Each listed entry must come, in order, with its type (then the caller checks size and SHA-256); a listed
/// entry still pending when the tar ends is damage (<see cref="EndAsync"/>).
/// </para>
/// </remarks>
public sealed class FileIndexCursor : IAsyncDisposable
{
    private readonly IAsyncEnumerator<FileIndexEntry> _entries;
    private readonly IndexGroup _group;

    /// <summary>How errors name the volume (its label: <c>&lt;backup&gt;/files-00001.part</c> for a referenced one).</summary>
    private readonly string _volume;

    /// <summary>Sparse: the group's next entry, read ahead and not yet matched by a tar entry.</summary>
    private FileIndexEntry? _pending;

    /// <summary>The folder entries above the last entry, outermost first, each with its last child's name.</summary>
    private readonly List<(string Path, string? LastChild)> _folders = [];

    private string? _lastArchived;
    private bool _ended;
    private string? _lastIndexed;

    /// <summary>The backup's own volume <paramref name="volumeName"/>: every tar entry must be its next index entry.</summary>
    public FileIndexCursor(IAsyncEnumerable<FileIndexEntry> index, string volumeName, CancellationToken cancellationToken)
        : this(index, IndexGroup.Own(volumeName), cancellationToken)
    {
    }

    /// <summary>
    /// The entries of <paramref name="group"/> in <paramref name="index"/> (others are skipped); sparse when the group
    /// points into an earlier backup.
    /// </summary>
    public FileIndexCursor(IAsyncEnumerable<FileIndexEntry> index, IndexGroup group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentException.ThrowIfNullOrEmpty(group.Volume);
        _entries = index.GetAsyncEnumerator(cancellationToken);
        _group = group;
        _volume = group.Label;
    }

    /// <summary>Whether tar entries the group does not list are read past (a referenced volume).</summary>
    public bool IsSparse => _group.IsReferenced;

    /// <summary>
    /// Sparse: whether the tar's next entry, <paramref name="name"/> (a folder's trailing '/' removed), is the group's
    /// next listed entry; if not, the caller reads it past without looking at it. Always true when not sparse.
    /// </summary>
    public async ValueTask<bool> ListsAsync(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsSparse)
            return true;
        _pending ??= await ReadAsync();
        return _pending is not null && string.Equals(_pending.Path, name, StringComparison.Ordinal);
    }

    /// <summary>
    /// The index entry for the archive's next entry, <paramref name="name"/> ('/'-separated, folders without a trailing
    /// '/') of <paramref name="type"/> (<see cref="FileIndexEntry.FileType"/> etc.). Size, hash and link target are
    /// left to the caller, who reads the content.
    /// </summary>
    public async ValueTask<FileIndexEntry> NextAsync(string name, string type)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (IsSparse)
            return TakePending(name, type);
        var indexed = await ReadAsync();
        if (indexed is null || indexed.Path != name)
        {
            if (name == _lastArchived)
                throw new IntegrityException(_volume, $"{name}: appears twice in the archive");
            if (indexed is null)
                throw new IntegrityException(_volume, $"{name}: in the archive but not in the index");
            throw new IntegrityException(_volume,
                $"{name}: in the archive where the index lists {indexed.Path} (an entry missing from the archive, not in the index, or out of order)");
        }

        if (indexed.Type != type)
            throw new IntegrityException(_volume, $"{name}: is a {type} in the archive but a {indexed.Type} in the index");
        CheckOrder(name);
        if (type == FileIndexEntry.DirectoryType)
            _folders.Add((name, null));
        _lastArchived = name;
        return indexed;
    }

    /// <summary>
    /// After the archive's last entry: reads the index to its end (so that a verifying stream below checks it there) and
    /// throws if an entry of this volume is left over.
    /// </summary>
    public async ValueTask EndAsync()
    {
        if ((_pending ?? await ReadAsync()) is { } missing)
            throw new IntegrityException(_volume, $"{missing.Path}: in the index but missing from the archive");
    }

    public ValueTask DisposeAsync() => _entries.DisposeAsync();

    /// <summary>Sparse: the entry <see cref="ListsAsync"/> matched, its type checked; the next one is read on the next question.</summary>
    private FileIndexEntry TakePending(string name, string type)
    {
        if (_pending is not { } indexed || indexed.Path != name)
            throw new InvalidOperationException($"{name}: not the entry the sparse index cursor matched");
        if (indexed.Type != type)
            throw new IntegrityException(_volume, $"{name}: is a {type} in the archive but a {indexed.Type} in the index");
        _pending = null;
        _lastArchived = name;
        return indexed;
    }

    private async ValueTask<FileIndexEntry?> ReadAsync()
    {
        while (!_ended && await _entries.MoveNextAsync())
        {
            var entry = _entries.Current;
            if (!_group.Holds(entry))
                continue;
            if (entry.Path == _lastIndexed)
                throw new IntegrityException(_volume, $"{entry.Path}: listed twice in the index");
            _lastIndexed = entry.Path;
            return entry;
        }

        // A sparse cursor asks again after the end; the enumerator is not moved past it.
        _ended = true;
        return null;
    }

    /// <summary>
    /// Inside a folder entry the archiver writes the children in ordinal order, each followed by its own content, and
    /// nothing else: so a child that does not sort after its previous sibling is a repeat or out of place. Entries whose
    /// parent is no folder entry (the components at the top) are not compared.
    /// </summary>
    private void CheckOrder(string name)
    {
        while (_folders.Count > 0 && !IsBelow(name, _folders[^1].Path))
            _folders.RemoveAt(_folders.Count - 1);
        if (_folders.Count == 0)
            return;

        var (parent, lastChild) = _folders[^1];
        if (name.IndexOf('/', parent.Length + 1) >= 0)
            return;
        var child = name[(parent.Length + 1)..];
        if (lastChild is not null && string.CompareOrdinal(child, lastChild) <= 0)
        {
            throw new IntegrityException(_volume, child == lastChild
                ? $"{name}: appears twice in the archive"
                : $"{name}: out of order in the archive (after {parent}/{lastChild})");
        }

        _folders[^1] = (parent, child);
    }

    internal static bool IsBelow(string name, string folder)
        => name.Length > folder.Length + 1 && name[folder.Length] == '/' && name.StartsWith(folder, StringComparison.Ordinal);
}
