using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// One safe extraction into a staging folder beside the target (<c>&lt;target&gt;.restoring-&lt;random&gt;</c>): add
/// one or more volumes, then <see cref="Complete"/> moves the staging folder into place. Disposing without completing
/// removes the staging folder, so the target is never touched by a failed or cancelled restore.
/// </summary>
/// <remarks>
/// Refused (as <see cref="IntegrityException"/> naming the volume and the entry): absolute names, "." / ".." or empty
/// segments, entries below a symbolic link of the archive, duplicates, hard links, devices and other special entries,
/// symbolic links whose target is absolute or resolves (through the archive's other links) outside the restored site,
/// entries missing from the index, index entries of the volume missing from the archive, size or SHA-256 mismatches.
/// Modes are restored as permission bits only (no setuid/setgid/sticky); owners are not restored.
/// </remarks>
public sealed class SiteExtraction : IDisposable
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;
    private const int MaxLinkHops = 40;

    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Target, string Volume)> _links = new(StringComparer.Ordinal);
    private readonly List<(string FullPath, UnixFileMode Mode, DateTimeOffset ModifiedAt)> _directories = [];
    private long _files;
    private long _bytes;
    private bool _broken;
    private bool _completed;

    private SiteExtraction(string target, string staging)
    {
        TargetDirectory = target;
        StagingDirectory = staging;
    }

    public string TargetDirectory { get; }

    public string StagingDirectory { get; }

    /// <summary>
    /// Checks that <paramref name="targetDirectory"/> does not exist or is empty (else
    /// <see cref="InvalidOperationException"/> naming it) and creates the staging folder beside it.
    /// </summary>
    public static SiteExtraction Begin(string targetDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(targetDirectory));
        EnsureEmptyOrMissing(target);
        var parent = Path.GetDirectoryName(target)
            ?? throw new InvalidOperationException($"restore target {target} has no parent folder for staging");
        Directory.CreateDirectory(parent);
        var staging = $"{target}.restoring-{RandomNumberGenerator.GetHexString(12, lowercase: true)}";
        Directory.CreateDirectory(staging);
        return new SiteExtraction(target, staging);
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
    public async Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IReadOnlyList<FileIndexEntry> index,
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
        var expected = new Dictionary<string, FileIndexEntry>(StringComparer.Ordinal);
        foreach (var entry in index.Where(e => e.Volume == volumeName))
        {
            if (!expected.TryAdd(entry.Path, entry))
                throw new IntegrityException(volumeName, $"{entry.Path}: listed twice in the index");
        }

        var selected = include is null ? null : Selected(expected.Values, include);
        await using (var reader = new TarReader(tarInput, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                await ExtractEntryAsync(entry, volumeName, expected, selected, cancellationToken);
                progress?.Report(new ArchiveProgress(_files, _bytes));
            }
        }

        // Whatever follows the end-of-archive marker is read too, so that a verifying (decrypting) stream below
        // checks the end of the volume.
        await tarInput.CopyToAsync(Stream.Null, cancellationToken);

        var missing = expected.Keys.Where(path => !_seen.Contains(path)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (missing is not null)
            throw new IntegrityException(volumeName, $"{missing}: in the index but missing from the archive");

        _broken = false;
        return new ArchiveProgress(_files, _bytes);
    }

    /// <summary>
    /// Checks every symbolic link against the whole restored tree, restores folder modes and times, and moves the
    /// staging folder into place (the target must still be missing or empty).
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_broken)
            throw new InvalidOperationException("a volume of this extraction failed");

        foreach (var (name, (target, volume)) in _links)
        {
            if (Escapes(name, target))
                throw new IntegrityException(volume, $"{name}: symbolic link target '{target}' points outside the restored site");
        }

        if (!OperatingSystem.IsWindows())
        {
            // Deepest first is not needed for correctness (chmod/utime of a child leave the parent's mtime alone),
            // but reverse order keeps a read-only parent from mattering at all.
            for (var i = _directories.Count - 1; i >= 0; i--)
                File.SetUnixFileMode(_directories[i].FullPath, _directories[i].Mode);
        }

        for (var i = _directories.Count - 1; i >= 0; i--)
            Directory.SetLastWriteTimeUtc(_directories[i].FullPath, _directories[i].ModifiedAt.UtcDateTime);

        EnsureEmptyOrMissing(TargetDirectory);
        if (Directory.Exists(TargetDirectory))
            Directory.Delete(TargetDirectory);
        Directory.Move(StagingDirectory, TargetDirectory);
        _completed = true;
    }

    /// <summary>Removes the staging folder unless the extraction completed.</summary>
    public void Dispose()
    {
        if (_completed)
            return;
        _completed = true;
        DeleteStaging(StagingDirectory);
    }

    /// <summary>The paths <paramref name="include"/> accepts and every folder above them.</summary>
    private static HashSet<string> Selected(IEnumerable<FileIndexEntry> entries, Func<string, bool> include)
    {
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!include(entry.Path))
                continue;
            selected.Add(entry.Path);
            for (var slash = entry.Path.LastIndexOf('/'); slash > 0; slash = entry.Path.LastIndexOf('/', slash - 1))
                selected.Add(entry.Path[..slash]);
        }

        return selected;
    }

    private async Task ExtractEntryAsync(
        TarEntry entry, string volumeName, Dictionary<string, FileIndexEntry> expected, HashSet<string>? selected, CancellationToken cancellationToken)
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
        if (!_seen.Add(name))
            throw new IntegrityException(volumeName, $"{name}: appears twice in the archives");
        if (!expected.TryGetValue(name, out var indexed))
            throw new IntegrityException(volumeName, $"{name}: in the archive but not in the index");
        if (indexed.Type != type)
            throw new IntegrityException(volumeName, $"{name}: is a {type} in the archive but a {indexed.Type} in the index");
        // Not selected: checked against the index above, not written. (A link above a selected entry is itself
        // selected as one of its folders, so the link rules below still see it.)
        if (selected is not null && !selected.Contains(name))
            return;

        switch (type)
        {
            case FileIndexEntry.DirectoryType:
                Directory.CreateDirectory(fullPath);
                _directories.Add((fullPath, entry.Mode & PermissionBits, entry.ModificationTime));
                break;

            case FileIndexEntry.SymbolicLinkType:
                var target = entry.LinkName;
                if (string.IsNullOrEmpty(target) || target.Contains('\0', StringComparison.Ordinal) || IsRooted(target))
                    throw new IntegrityException(volumeName, $"{name}: symbolic link target '{target}' is absolute or empty");
                if (indexed.LinkTarget is not null && indexed.LinkTarget != target)
                    throw new IntegrityException(volumeName, $"{name}: symbolic link target differs from the index");
                Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
                File.CreateSymbolicLink(fullPath, target);
                _links.Add(name, (target, volumeName));
                _files++;
                break;

            default:
                await ExtractFileAsync(entry, name, fullPath, indexed, volumeName, cancellationToken);
                break;
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

        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            await using var output = new FileStream(fullPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                Options = FileOptions.Asynchronous,
            });
            if (entry.DataStream is { } data)
            {
                int read;
                while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    written += read;
                    _bytes += read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (written != indexed.Size)
            throw new IntegrityException(volumeName, $"{name}: {written} bytes read, {indexed.Size} in the index");
        if (!CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), expectedHash))
            throw new IntegrityException(volumeName, $"{name}: SHA-256 does not match the index");

        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(fullPath, entry.Mode & PermissionBits);
        File.SetLastWriteTimeUtc(fullPath, entry.ModificationTime.UtcDateTime);
        _files++;
    }

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

        var fullPath = Path.GetFullPath(Path.Combine(StagingDirectory, name));
        return fullPath.StartsWith(StagingDirectory + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? fullPath : null;
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
            if (_links.TryGetValue(string.Join('/', resolved), out var next))
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

    private static void DeleteStaging(string staging)
    {
        try
        {
            Directory.Delete(staging, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Restored read-only folders block the delete: make them writable (without following links) and retry.
            try
            {
                MakeWritable(new DirectoryInfo(staging));
                Directory.Delete(staging, recursive: true);
            }
            catch (Exception retry) when (retry is IOException or UnauthorizedAccessException)
            {
                // Best effort: the staging folder is named as such and holds no live data.
            }
        }
    }

    private static void MakeWritable(DirectoryInfo directory)
    {
        if (OperatingSystem.IsWindows() || directory.LinkTarget is not null)
            return;
        directory.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        foreach (var child in directory.EnumerateDirectories("*", new EnumerationOptions { AttributesToSkip = 0 }))
            MakeWritable(child);
    }
}
