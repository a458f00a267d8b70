using System.Buffers;
using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Storage;

/// <summary>
/// A destination in a local (or mounted) folder: object <c>a/b/c</c> is the file <c>root/a/b/c</c>.
/// </summary>
/// <remarks>
/// A put writes a hidden temporary file next to the target (<c>.c.tmp-&lt;random&gt;</c>), flushes it to disk and
/// renames it over the target, so readers see the old object or the complete new one, never a partial one.
/// Temporary files are never listed, and names that look like one are refused; a process killed mid-put leaves its
/// temporary file behind (see <see cref="IBackupStore"/> on temporary objects): it counts against the maximum size
/// until job cleanup or retention removes it.
/// On Unix, files get <c>fileMode</c> and folders <c>folderMode</c> exactly (not narrowed by the umask), because
/// backups hold a site's data and its database.
/// With a maximum size, a put is refused before it writes anything when the folder is already full, and stopped
/// (its temporary file removed) as soon as the folder plus what it has written would pass the maximum; both fail
/// with <see cref="StoreFailureKind.Full"/>. The usage is the sum of the folder's files, counted at the start of
/// each put, so puts running at the same time can together pass the maximum by what they write concurrently.
/// </remarks>
public sealed class LocalFolderStore : IBackupStore
{
    /// <summary>Owner read/write (0600).</summary>
    public const UnixFileMode DefaultFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Owner read/write/search (0700).</summary>
    public const UnixFileMode DefaultFolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const int CopyBufferSize = 1024 * 1024;

    private readonly string _root;
    private readonly UnixFileMode _fileMode;
    private readonly UnixFileMode _folderMode;
    private readonly long? _maxSizeBytes;

    /// <param name="maxSizeBytes">The most the folder may hold (all its files), or null for no limit.</param>
    public LocalFolderStore(string rootFolder, UnixFileMode fileMode = DefaultFileMode, UnixFileMode folderMode = DefaultFolderMode, long? maxSizeBytes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootFolder);
        if (maxSizeBytes is { } max)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max, nameof(maxSizeBytes));
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootFolder));
        _fileMode = fileMode;
        _folderMode = folderMode;
        _maxSizeBytes = maxSizeBytes;
    }

    /// <summary>The absolute root folder.</summary>
    public string RootFolder => _root;

    public string Location => "file://" + _root;

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        var target = PathOf(name);
        ArgumentNullException.ThrowIfNull(content);
        cancellationToken.ThrowIfCancellationRequested();

        // What a re-put replaces does not count against the room it needs. Temporary files count: they are on the disk.
        var (usedByObjects, usedByTemporaries) = _maxSizeBytes is null ? (0, 0) : Usage();
        var room = _maxSizeBytes is { } max ? max - usedByObjects - usedByTemporaries + (File.Exists(target) ? new FileInfo(target).Length : 0) : long.MaxValue;
        // Said when the maximum refuses a put: a destination full of leftovers must not look full of backups.
        var temporariesNote = usedByTemporaries > 0
            ? $" ({usedByTemporaries} bytes of the destination are temporary files of uploads in progress or interrupted; job cleanup and retention remove the leftovers)"
            : "";
        if (room <= 0)
            throw new StoreException($"Put of '{name}' to {Location} refused: the destination holds its maximum of {_maxSizeBytes} bytes{temporariesNote}.", StoreFailureKind.Full);

        var folder = Path.GetDirectoryName(target)!;
        var tempPath = Path.Combine(folder, TemporaryNames.ForFile(Path.GetFileName(target)));
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        var sourceFailed = false;
        try
        {
            await using (var file = CreateTempFile(folder, tempPath))
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await content.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken);
                    }
                    catch
                    {
                        sourceFailed = true;
                        throw;
                    }
                    if (read == 0)
                        break;
                    room -= read;
                    if (room < 0)
                        throw new StoreException($"Put of '{name}' to {Location} stopped: it would pass the destination's maximum of {_maxSizeBytes} bytes{temporariesNote}.", StoreFailureKind.Full);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                // The rename below must never publish data that is still only in the page cache.
                file.Flush(flushToDisk: true);
            }
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(tempPath, target, overwrite: true);
        }
        catch (Exception ex)
        {
            TryDelete(tempPath);
            // A failing source (a dying pg_dump) passes through as it is: it is not the destination's failure.
            if (!sourceFailed && ex is IOException or UnauthorizedAccessException)
                throw new StoreException($"Put of '{name}' to {Location} failed: {ex.Message}", KindOf(ex), ex);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // FileShare.Delete: a retention run may delete (or a re-put replace) the object while it is read.
            Stream stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete,
                bufferSize: 0, FileOptions.SequentialScan);
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException
                                   || (ex is UnauthorizedAccessException && Directory.Exists(path)))
        {
            throw new StoreObjectNotFoundException($"Object '{name}' does not exist in {Location}.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"Read of '{name}' from {Location} failed: {ex.Message}", ex);
        }
    }

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var file = await OpenReadAsync(name, cancellationToken);
        file.Seek(Math.Min(offset, file.Length), SeekOrigin.Begin);
        return new LengthLimitedReadStream(file, length);
    }

    public Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(name));
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(file.Exists ? new StoredObjectInfo(name, file.Length, file.LastWriteTimeUtc) : null);
    }

    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken)
        => CollectAsync(prefix, temporaries: false, cancellationToken);

    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken)
        => CollectAsync(prefix, temporaries: true, cancellationToken);

    public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken)
    {
        TemporaryNames.ValidateTemporary(name, Location);
        cancellationToken.ThrowIfCancellationRequested();
        var path = Path.Combine(_root, ToPlatform(name));
        try
        {
            // A put still writing holds it open; on Unix the unlink succeeds and that put's rename then fails.
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Its folder is gone too: nothing left to remove.
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"Delete of temporary '{name}' from {Location} failed: {ex.Message}", KindOf(ex), ex);
        }
        RemoveEmptyFolders(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(name);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            if (File.Exists(path))
                File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreException($"Delete of '{name}' from {Location} failed: {ex.Message}", ex);
        }
        RemoveEmptyFolders(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    /// <summary>The bytes of every file under the root (temporary files included: they take room too).</summary>
    public long UsedBytes()
    {
        var (objects, temporaries) = Usage();
        return objects + temporaries;
    }

    /// <summary>The bytes of the objects and, apart, of the temporary files under the root.</summary>
    private (long Objects, long Temporaries) Usage()
    {
        if (!Directory.Exists(_root))
            return (0, 0);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        long objects = 0, temporaries = 0;
        foreach (var (length, temporary) in new FileSystemEnumerable<(long, bool)>(_root,
                     (ref entry) => (entry.Length, IsTempFileName(entry.FileName)), options)
                 {
                     ShouldIncludePredicate = (ref entry) => !entry.IsDirectory,
                 })
        {
            if (temporary)
                temporaries += length;
            else
                objects += length;
        }
        return (objects, temporaries);
    }

    private async IAsyncEnumerable<StoredObjectInfo> CollectAsync(string prefix, bool temporaries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNameRules.ValidatePrefix(prefix);
        // Only the folder of the prefix's last complete segment can hold matches; the rest of the tree is skipped.
        var lastSlash = prefix.LastIndexOf('/');
        var folderName = lastSlash < 0 ? "" : prefix[..lastSlash];
        var folder = folderName.Length == 0 ? _root : Path.Combine(_root, ToPlatform(folderName));

        var found = new List<StoredObjectInfo>();
        if (Directory.Exists(folder))
        {
            var options = new EnumerationOptions
            {
                RecurseSubdirectories = true,
                // The defaults skip hidden files, and on Unix every name starting with '.' is "hidden".
                AttributesToSkip = 0,
                IgnoreInaccessible = false,
            };
            var entries = new FileSystemEnumerable<StoredObjectInfo>(folder,
                (ref entry) => new StoredObjectInfo(ToName(entry.ToFullPath()), entry.Length, entry.LastWriteTimeUtc),
                options)
            {
                ShouldIncludePredicate = (ref entry) => !entry.IsDirectory && IsTempFileName(entry.FileName) == temporaries,
            };
            foreach (var info in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (info.Name.StartsWith(prefix, StringComparison.Ordinal))
                    found.Add(info);
            }
        }
        // The file system's order is arbitrary; the contract is ordinal order of the whole name.
        found.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var info in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return info;
        }
    }

    private string PathOf(string name)
    {
        ObjectNameRules.Validate(name);
        if (IsTempFileName(name.AsSpan(name.LastIndexOf('/') + 1)))
            throw new ArgumentException($"Object name '{name}' is reserved for temporary files of a local destination.", nameof(name));
        return Path.Combine(_root, ToPlatform(name));
    }

    private FileStream CreateTempFile(string folder, string tempPath)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            // The copy writes 1 MiB blocks: a FileStream buffer on top would only add a copy.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = _fileMode;

        // A concurrent delete of the last object in this folder may remove the folder between the two steps.
        for (var attempt = 1; ; attempt++)
        {
            CreateFolders(folder);
            try
            {
                var file = new FileStream(tempPath, options);
                try
                {
                    // The create mode was narrowed by the umask; the configured mode is what the owner asked for.
                    if (!OperatingSystem.IsWindows())
                        File.SetUnixFileMode(file.SafeFileHandle, _fileMode);
                    return file;
                }
                catch
                {
                    file.Dispose();
                    throw;
                }
            }
            catch (DirectoryNotFoundException) when (attempt < 3)
            {
            }
        }
    }

    private void CreateFolders(string folder)
    {
        if (Directory.Exists(folder))
            return;
        var parent = Path.GetDirectoryName(folder);
        if (parent is not null && !string.Equals(folder, _root, StringComparison.Ordinal))
            CreateFolders(parent);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, _folderMode);
            File.SetUnixFileMode(folder, _folderMode);
        }
    }

    // Retention deletes whole backups; without this, every deleted backup would leave its empty folder behind.
    private void RemoveEmptyFolders(string folder)
    {
        while (folder.Length > _root.Length && folder.StartsWith(_root, StringComparison.Ordinal))
        {
            try
            {
                if (Directory.EnumerateFileSystemEntries(folder).Any())
                    return;
                Directory.Delete(folder);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not empty after all (a put arrived) or already gone: either way there is nothing to tidy.
                return;
            }
            folder = Path.GetDirectoryName(folder)!;
        }
    }

    private string ToName(string fullPath)
    {
        var relative = fullPath[(_root.Length + 1)..];
        return Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static string ToPlatform(string name) =>
        Path.DirectorySeparatorChar == '/' ? name : name.Replace('/', Path.DirectorySeparatorChar);

    // ENOSPC (28) and EDQUOT (122) on Linux; ERROR_DISK_FULL (112) and ERROR_HANDLE_DISK_FULL (39) on Windows.
    private static StoreFailureKind KindOf(Exception ex) => ex switch
    {
        UnauthorizedAccessException => StoreFailureKind.Permission,
        IOException io when (io.HResult & 0xFFFF) is 28 or 122 or 112 or 39 => StoreFailureKind.Full,
        _ => StoreFailureKind.Other,
    };

    private static bool IsTempFileName(ReadOnlySpan<char> fileName) => TemporaryNames.IsTemporary(fileName);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }
}
