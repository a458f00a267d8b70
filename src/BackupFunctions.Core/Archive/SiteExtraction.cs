using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// One safe extraction into a staging folder beside the target (<c>&lt;target&gt;.restoring-&lt;random&gt;</c>, see
/// <see cref="RestoreStaging"/>): add one or more volumes, then <see cref="Complete"/> moves the restored tree into
/// place. Disposing without completing removes the staging folder, so the target is never touched by a failed or
/// cancelled restore.
/// </summary>
/// <remarks>
/// <para>
/// Restored plaintext is never readable by another user, also when the process is killed midway: the staging folder
/// and every folder in it are created 0700, every file 0600, whatever the umask. The archive's real modes are applied
/// in <see cref="Complete"/> only, once everything is written and checked, just before the rename. The target is
/// resolved first (<see cref="RealPath"/>): a target that is a symbolic link (or lies below one) is restored into the
/// real folder, and the link stays as it was. Staging folders of restores that died in the same parent folder are
/// removed when an extraction begins (<see cref="RestoreStaging.RemoveStale"/>).
/// </para>
/// <para>
/// Refused (as <see cref="IntegrityException"/> naming the volume and the entry): absolute names, "." / ".." or empty
/// segments, entries below a symbolic link of the archive, duplicates (next to each other, among a folder's children,
/// any that would be written twice, or a folder where a link was), hard links, devices and other special entries,
/// symbolic links whose target is absolute or resolves (through the archive's other links) outside the restored site,
/// entries missing from the index, index entries of the volume missing from the archive, entries out of the index's
/// order, size or SHA-256 mismatches. Modes are restored as permission bits only (no setuid/setgid/sticky); owners
/// are not restored.
/// </para>
/// <para>
/// Memory does not grow with the number of files: the index is read in step with the tar (<see cref="FileIndexCursor"/>)
/// and never held. What is kept until <see cref="Complete"/> is one small record per folder written (its mode and time
/// can only be set once nothing more is written into it) and per symbolic link (links are resolved through each other
/// at the end, and nothing may be written below one); both are far fewer than files in a site. The mode of each file
/// (when it is not 0600 already) waits in a scratch file of the staging folder (its name and two bytes), read back
/// once in <see cref="Complete"/>: a few bytes on disk per file, beside the file itself.
/// </para>
/// </remarks>
public sealed class SiteExtraction : IDisposable
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;
    private const int MaxLinkHops = 40;
    private const string ModesFile = "modes";
    private const string NewFolderProbe = "new-folder";

    private readonly RestoreStaging _staging;

    /// <summary>The restored tree inside the staging folder.</summary>
    private readonly string _root;

    /// <summary>Files whose mode is applied in <see cref="Complete"/>: created on the first one.</summary>
    private BinaryWriter? _modes;

    /// <summary>Every symbolic link of the archive so far; Written is false for those the include filter skipped.</summary>
    private readonly Dictionary<string, (string Target, string Volume, bool Written)> _links = new(StringComparer.Ordinal);

    /// <summary>Folders written, in archive order ('/'-separated names): their modes and times are set last.</summary>
    private readonly List<(string Name, UnixFileMode Mode, DateTimeOffset ModifiedAt)> _directories = [];

    private long _files;
    private long _bytes;
    private bool _broken;
    private bool _completed;

    private SiteExtraction(string target, RestoreStaging staging)
    {
        TargetDirectory = target;
        _staging = staging;
        _root = staging.Tree;
    }

    /// <summary>The resolved target (symbolic links along the path replaced by what they point to).</summary>
    public string TargetDirectory { get; }

    /// <summary>The staging folder beside the target; the restored tree is a folder inside it.</summary>
    public string StagingDirectory => _staging.Folder;

    /// <summary>What the extraction holds until <see cref="Complete"/>: folders written and symbolic links, never files.</summary>
    internal int RetainedEntries => _directories.Count + _links.Count;

    /// <summary>
    /// Resolves <paramref name="targetDirectory"/> (<see cref="RealPath"/>), checks that it does not exist or is empty
    /// (else <see cref="InvalidOperationException"/> naming it), removes stale staging folders beside it and creates
    /// this extraction's staging folder there.
    /// </summary>
    public static SiteExtraction Begin(string targetDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var target = RealPath.Resolve(targetDirectory);
        EnsureEmptyOrMissing(target);
        var parent = Path.GetDirectoryName(target);
        if (string.IsNullOrEmpty(parent))
            throw new InvalidOperationException($"restore target {target} has no parent folder for staging");
        Directory.CreateDirectory(parent);
        RestoreStaging.RemoveStale(parent);
        return new SiteExtraction(target, RestoreStaging.Create(parent, Path.GetFileName(target)));
    }

    /// <summary>
    /// Extracts one volume into staging and checks it against the entries of <paramref name="index"/> whose
    /// <see cref="FileIndexEntry.Volume"/> is <paramref name="volumeName"/> (others are ignored). Returns the totals of
    /// the whole extraction so far. Reads <paramref name="tarInput"/> to its end.
    /// </summary>
    public Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IReadOnlyList<FileIndexEntry> index,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        => AddVolumeAsync(tarInput, volumeName, index, include: null, progress, cancellationToken);

    /// <summary>
    /// As <see cref="AddVolumeAsync(Stream, string, IReadOnlyList{FileIndexEntry}, IProgress{ArchiveProgress}?, CancellationToken)"/>,
    /// writing only the entries whose '/'-separated path <paramref name="include"/> accepts, plus the folders above
    /// them (so their modes and times are restored too). Every entry is still checked against the index; skipped
    /// entries are read past, not written. Null includes everything.
    /// </summary>
    public Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IReadOnlyList<FileIndexEntry> index,
        Func<string, bool>? include,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        return AddVolumeAsync(tarInput, volumeName, index.ToAsyncEnumerable(), include, progress, cancellationToken);
    }

    /// <summary>
    /// As <see cref="AddVolumeAsync(Stream, string, IReadOnlyList{FileIndexEntry}, Func{string, bool}?, IProgress{ArchiveProgress}?, CancellationToken)"/>,
    /// reading the index as it goes (e.g. <see cref="FileIndex.ReadEntriesAsync"/> over the index part): its entries of
    /// this volume must come in the order of the tar, as the backup writes them. The index is enumerated once, to its
    /// end, so a verifying stream below it is checked before this returns.
    /// </summary>
    public async Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IAsyncEnumerable<FileIndexEntry> index,
        Func<string, bool>? include,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tarInput);
        ArgumentException.ThrowIfNullOrEmpty(volumeName);
        ArgumentNullException.ThrowIfNull(index);
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_broken)
            throw new InvalidOperationException("a previous volume of this extraction failed");

        _broken = true;
        await using var cursor = new FileIndexCursor(index, volumeName, cancellationToken);
        // The folder entries above the current entry (outermost first) and whether each was written: with a filter, a
        // folder is written only once something below it is.
        var above = new List<(string Name, UnixFileMode Mode, DateTimeOffset ModifiedAt, bool Written)>();
        await using (var reader = new TarReader(tarInput, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                await ExtractEntryAsync(entry, volumeName, cursor, include, above, cancellationToken);
                progress?.Report(new ArchiveProgress(_files, _bytes));
            }
        }

        // Whatever follows the end-of-archive marker is read too, so that a verifying (decrypting) stream below
        // checks the end of the volume.
        await tarInput.CopyToAsync(Stream.Null, cancellationToken);
        await cursor.EndAsync();

        _broken = false;
        return new ArchiveProgress(_files, _bytes);
    }

    /// <summary>
    /// Checks every symbolic link against the whole restored tree, applies the archive's modes (files, then folders)
    /// and the folders' times, gives the restored folder itself the mode a new folder gets (as <c>mkdir</c> would), and
    /// moves the tree into place (the target must still be missing or empty). The staging folder is removed.
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_broken)
            throw new InvalidOperationException("a volume of this extraction failed");

        foreach (var (name, (target, volume, written)) in _links)
        {
            if (written && Escapes(name, target))
                throw new IntegrityException(volume, $"{name}: symbolic link target '{target}' points outside the restored site");
        }

        // Everything is written and checked: only now may anything become readable by others.
        if (!OperatingSystem.IsWindows())
        {
            ApplyFileModes();
            // Deepest first is not needed for correctness (chmod/utime of a child leave the parent's mtime alone),
            // but reverse order keeps a read-only parent from mattering at all.
            for (var i = _directories.Count - 1; i >= 0; i--)
                File.SetUnixFileMode(StagingPath(_directories[i].Name), _directories[i].Mode);
        }

        for (var i = _directories.Count - 1; i >= 0; i--)
            Directory.SetLastWriteTimeUtc(StagingPath(_directories[i].Name), _directories[i].ModifiedAt.UtcDateTime);

        if (!OperatingSystem.IsWindows())
        {
            // The site root is not in the archive: it gets what a new folder gets (0777 less the umask), as it did
            // when the staging folder was made by a plain mkdir.
            var probe = _staging.Scratch(NewFolderProbe);
            Directory.CreateDirectory(probe);
            var newFolderMode = File.GetUnixFileMode(probe);
            Directory.Delete(probe);
            File.SetUnixFileMode(_root, newFolderMode);
        }

        EnsureEmptyOrMissing(TargetDirectory);
        if (Directory.Exists(TargetDirectory))
            Directory.Delete(TargetDirectory);
        Directory.Move(_root, TargetDirectory);
        _completed = true;
        _staging.Dispose();
    }

    /// <summary>Removes the staging folder unless the extraction completed.</summary>
    public void Dispose()
    {
        if (_completed)
            return;
        _completed = true;
        _modes?.Dispose();
        _staging.Dispose();
    }

    private async Task ExtractEntryAsync(
        TarEntry entry,
        string volumeName,
        FileIndexCursor cursor,
        Func<string, bool>? include,
        List<(string Name, UnixFileMode Mode, DateTimeOffset ModifiedAt, bool Written)> above,
        CancellationToken cancellationToken)
    {
        var (name, type) = entry.EntryType switch
        {
            TarEntryType.Directory => (entry.Name.TrimEnd('/'), FileIndexEntry.DirectoryType),
            TarEntryType.RegularFile or TarEntryType.V7RegularFile => (entry.Name, FileIndexEntry.FileType),
            TarEntryType.SymbolicLink => (entry.Name, FileIndexEntry.SymbolicLinkType),
            _ => throw new IntegrityException(volumeName, $"{entry.Name}: {entry.EntryType} entries are not allowed"),
        };

        var fullPath = SafeFullPath(name)
            ?? throw new IntegrityException(volumeName, $"{entry.Name}: unsafe path (absolute, '..' or outside the target)");
        var linkAncestor = LinkAncestor(name);
        if (linkAncestor is not null)
            throw new IntegrityException(volumeName, $"{name}: lies below the symbolic link {linkAncestor}");
        if (_links.ContainsKey(name))
            throw new IntegrityException(volumeName, $"{name}: appears twice in the archives");
        var indexed = await cursor.NextAsync(name, type);
        if (type == FileIndexEntry.SymbolicLinkType && indexed.LinkTarget is not null && indexed.LinkTarget != entry.LinkName)
            throw new IntegrityException(volumeName, $"{name}: symbolic link target differs from the index");

        while (above.Count > 0 && !FileIndexCursor.IsBelow(name, above[^1].Name))
            above.RemoveAt(above.Count - 1);
        var write = include is null || include(name);
        if (write)
        {
            // The folders above come first, whether or not the filter named them (their modes and times too).
            for (var i = 0; i < above.Count; i++)
            {
                if (!above[i].Written)
                {
                    WriteDirectory(above[i].Name, StagingPath(above[i].Name), above[i].Mode, above[i].ModifiedAt);
                    above[i] = above[i] with { Written = true };
                }
            }
        }

        switch (type)
        {
            case FileIndexEntry.DirectoryType:
                if (write)
                    WriteDirectory(name, fullPath, entry.Mode & PermissionBits, entry.ModificationTime);
                above.Add((name, entry.Mode & PermissionBits, entry.ModificationTime, write));
                break;

            case FileIndexEntry.SymbolicLinkType:
                var target = entry.LinkName;
                _links.Add(name, (target, volumeName, write));
                if (!write)
                    break;
                if (string.IsNullOrEmpty(target) || target.Contains('\0', StringComparison.Ordinal) || IsRooted(target))
                    throw new IntegrityException(volumeName, $"{name}: symbolic link target '{target}' is absolute or empty");
                EnsureFolder(Path.GetDirectoryName(fullPath)!);
                Create(name, fullPath, volumeName, () => File.CreateSymbolicLink(fullPath, target));
                _files++;
                break;

            default:
                // Not written: checked against the index above and read past (TarReader skips the unread data).
                if (write)
                    await ExtractFileAsync(entry, name, fullPath, indexed, volumeName, cancellationToken);
                break;
        }
    }

    /// <summary>The folder the previous file went to (known to exist).</summary>
    private string? _lastFolder;

    private void WriteDirectory(string name, string fullPath, UnixFileMode mode, DateTimeOffset modifiedAt)
    {
        EnsureFolder(fullPath);
        _directories.Add((name, mode, modifiedAt));
    }

    /// <summary>Creates a folder of the tree and any missing folder above it, each 0700.</summary>
    private void EnsureFolder(string fullPath)
    {
        if (Directory.Exists(fullPath))
            return;
        var parent = Path.GetDirectoryName(fullPath)!;
        if (parent.Length > _root.Length)
            EnsureFolder(parent);
        RestoreStaging.CreatePrivateFolder(fullPath);
    }

    /// <summary>Notes a file whose mode is applied in <see cref="Complete"/>.</summary>
    private void DeferMode(string name, UnixFileMode mode)
    {
        _modes ??= new BinaryWriter(
            RestoreStaging.OpenPrivateFile(_staging.Scratch(ModesFile), FileMode.CreateNew, FileAccess.Write, bufferSize: 64 * 1024),
            Encoding.UTF8, leaveOpen: false);
        _modes.Write(name);
        _modes.Write((ushort)mode);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void ApplyFileModes()
    {
        if (_modes is null)
            return;
        _modes.Dispose();
        _modes = null;
        using var reader = new BinaryReader(
            RestoreStaging.OpenPrivateFile(_staging.Scratch(ModesFile), FileMode.Open, FileAccess.Read, bufferSize: 64 * 1024), Encoding.UTF8);
        var length = reader.BaseStream.Length;
        while (reader.BaseStream.Position < length)
        {
            var name = reader.ReadString();
            // The file was created by this extraction (new, 0600) inside the private tree: no link can stand in for it.
            File.SetUnixFileMode(StagingPath(name), (UnixFileMode)reader.ReadUInt16());
        }
    }

    /// <summary>
    /// Creates a file or link that must be new: staging started empty, so anything already there means the archive
    /// names the path twice (or a folder and a file share it).
    /// </summary>
    private static T Create<T>(string name, string fullPath, string volumeName, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (IOException) when (Path.Exists(fullPath) || new FileInfo(fullPath).LinkTarget is not null)
        {
            throw new IntegrityException(volumeName, $"{name}: appears twice in the archives");
        }
    }

    private async Task ExtractFileAsync(
        TarEntry entry, string name, string fullPath, FileIndexEntry indexed, string volumeName, CancellationToken cancellationToken)
    {
        if (entry.Length != indexed.Size)
            throw new IntegrityException(volumeName, $"{name}: {entry.Length} bytes in the archive, {indexed.Size} in the index");
        byte[] expectedHash;
        try
        {
            expectedHash = Convert.FromHexString(indexed.Sha256 ?? "");
        }
        catch (FormatException)
        {
            expectedHash = [];
        }

        if (expectedHash.Length != SHA256.HashSizeInBytes)
            throw new IntegrityException(volumeName, $"{name}: the index has no valid SHA-256 for it");

        var folder = Path.GetDirectoryName(fullPath)!;
        // Files come folder by folder: one check per folder, not a stat per file.
        if (!string.Equals(folder, _lastFolder, StringComparison.Ordinal))
        {
            EnsureFolder(folder);
            _lastFolder = folder;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            // Synchronous, unbuffered writes of whole 128 KiB blocks: on Linux an "asynchronous" FileStream only moves
            // each write to the thread pool, which costs more than the write for the many small files of a site.
            // Created 0600: the archive's mode is applied in Complete.
            using var output = Create(name, fullPath, volumeName,
                () => RestoreStaging.OpenPrivateFile(fullPath, FileMode.CreateNew, FileAccess.Write));
            if (entry.DataStream is { } data)
            {
                int read;
                while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    output.Write(buffer, 0, read);
                    written += read;
                    _bytes += read;
                }
            }

            if (written != indexed.Size)
                throw new IntegrityException(volumeName, $"{name}: {written} bytes read, {indexed.Size} in the index");
            if (!CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), expectedHash))
                throw new IntegrityException(volumeName, $"{name}: SHA-256 does not match the index");

            // The time through the open handle (no second path lookup per file): it grants nothing, and nothing changes
            // a file's mtime once it is closed (a later chmod changes only its ctime). The mode waits for Complete.
            File.SetLastWriteTimeUtc(output.SafeFileHandle, entry.ModificationTime.UtcDateTime);
            if (!OperatingSystem.IsWindows() && (entry.Mode & PermissionBits) != RestoreStaging.PrivateFileMode)
                DeferMode(name, entry.Mode & PermissionBits);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _files++;
    }

    private string StagingPath(string name) => Path.Combine(_root, name.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The full path inside staging, or null when the name is not a plain relative path that stays inside.</summary>
    private string? SafeFullPath(string name)
    {
        if (name.Length == 0 || IsRooted(name) || name.Contains('\0', StringComparison.Ordinal))
            return null;
        foreach (var segment in name.Split('/'))
        {
            if (segment is "" or "." or "..")
                return null;
            if (OperatingSystem.IsWindows() && segment.AsSpan().IndexOfAny('\\', ':') >= 0)
                return null;
        }

        var fullPath = Path.GetFullPath(Path.Combine(_root, name));
        return fullPath.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? fullPath : null;
    }

    private string? LinkAncestor(string name)
    {
        for (var slash = name.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = name.IndexOf('/', slash + 1))
        {
            if (_links.ContainsKey(name[..slash]))
                return name[..slash];
        }

        return null;
    }

    /// <summary>
    /// Resolves a link target the way the kernel will, through the other links of the restored tree (all inside the
    /// staging folder, so the archive alone decides), and says whether it ever steps above the root.
    /// A purely textual check would miss e.g. <c>a -&gt; b/..</c> with <c>b -&gt; .</c>.
    /// </summary>
    private bool Escapes(string linkName, string target)
    {
        var resolved = linkName.Split('/').SkipLast(1).ToList();
        var pending = new Stack<string>(target.Split('/').Reverse());
        var hops = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment is "" or ".")
                continue;
            if (segment == "..")
            {
                if (resolved.Count == 0)
                    return true;
                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            resolved.Add(segment);
            if (_links.TryGetValue(string.Join('/', resolved), out var next) && next.Written)
            {
                if (++hops > MaxLinkHops || IsRooted(next.Target))
                    return true;
                resolved.RemoveAt(resolved.Count - 1);
                foreach (var part in next.Target.Split('/').Reverse())
                    pending.Push(part);
            }
        }

        return false;
    }

    private static bool IsRooted(string path) => path.StartsWith('/') || path.StartsWith('\\') || Path.IsPathRooted(path);

    private static void EnsureEmptyOrMissing(string target)
    {
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
            throw new InvalidOperationException($"restore target {target} exists and is not empty");
    }
}
