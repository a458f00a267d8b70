using System.Runtime.CompilerServices;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage.Sftp;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// A site on the CMS host over SFTP, written by an in-place restore (<see cref="RemoteInPlaceFileRestore"/>): the same
/// connections as the SFTP destination (<see cref="SftpConnectionPool"/>: host confined by the network policy, the host
/// key pinned and compared in constant time before any credential is sent).
/// </summary>
/// <remarks>
/// Every path is a plain relative path below the root (no '..', no absolute path). Nothing is written through a link:
/// each folder above a written path is checked once to be a real folder; a file is written under a new temporary name
/// (created exclusively) and renamed over the old one with the POSIX rename extension, and refused where a link or a
/// folder holds its name. Folder renames are server-side renames. A link that appears between the check and the write
/// (a process on the host racing the restore) is not caught: SFTP offers no O_NOFOLLOW.
/// SSH.NET has no plain lstat and no readlink (see <see cref="LstatAsync"/>): a listed or looked-up link has no <see cref="SiteEntry.LinkTarget"/>, so a restore that
/// must copy a live link (a merge) refuses it, and verification checks that a restored link is a link.
/// </remarks>
public sealed class SftpSiteTarget : ISiteTarget, IDisposable
{
    private const int FolderMode = 0b111_101_101;
    private readonly SftpConnectionPool _pool;
    private readonly HashSet<string> _realFolders = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private string? _root;

    /// <param name="settings">The connection; <see cref="SftpStoreSettings.BasePath"/> is the site root.</param>
    public SftpSiteTarget(SftpStoreSettings settings, NetworkPolicy network)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(network);
        _pool = new SftpConnectionPool(settings, network);
    }

    public bool CanRenameFolders => true;

    /// <summary>
    /// False: SSH.NET resolves every path it is given with the server's REALPATH first (see <see cref="LstatAsync"/>), so
    /// a link can be neither created with a relative target as stored nor removed without removing what it points to.
    /// The backup's links are reported as skipped, and a live link in a component the restore would have to remove or
    /// copy makes the restore refuse before anything live changes.
    /// </summary>
    public bool CanCreateLinks => false;

    public void Dispose() => _pool.Dispose();

    public async IAsyncEnumerable<SiteEntry> ListAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var root = await GetEntryAsync(folder, cancellationToken);
        if (root?.Type != FileIndexEntry.DirectoryType)
            yield break;
        var pending = new Stack<string>();
        pending.Push(folder);
        while (pending.TryPop(out var current))
        {
            foreach (var child in await ChildrenAsync(current, cancellationToken))
            {
                yield return child;
                if (child.Type == FileIndexEntry.DirectoryType)
                    pending.Push(child.Path);
            }
        }
    }

    public async IAsyncEnumerable<SiteEntry> ListChildrenAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if ((await GetEntryAsync(folder, cancellationToken))?.Type != FileIndexEntry.DirectoryType)
            yield break;
        foreach (var child in await ChildrenAsync(folder, cancellationToken))
            yield return child;
    }

    /// <summary>One folder's entries (a folder known to be there), in ordinal order.</summary>
    private Task<List<SiteEntry>> ChildrenAsync(string folder, CancellationToken cancellationToken) => WithClientAsync(async client =>
    {
        var list = new List<SiteEntry>();
        await foreach (var file in client.ListDirectoryAsync(Full(folder), cancellationToken))
        {
            if (file.Name is "." or "..")
                continue;
            // READDIR's attributes are the entry's own (lstat): a link is listed as a link.
            list.Add(Stat.Of(file.Attributes).ToEntry(Join(folder, file.Name)));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return list;
    }, cancellationToken);

    public Task<SiteEntry?> GetEntryAsync(string path, CancellationToken cancellationToken) =>
        WithClientAsync(async client => await LstatAsync(client, path, cancellationToken) is { } stat ? stat.ToEntry(path) : null, cancellationToken);

    public Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        Confine(path);
        return OpenAsync();

        async Task<Stream> OpenAsync()
        {
            var client = await _pool.RentAsync(cancellationToken);
            try
            {
                await EnsureRootAsync(client, cancellationToken);
                await CheckFoldersAboveAsync(client, path, cancellationToken);
                var attributes = await LstatAsync(client, path, cancellationToken);
                if (attributes is null || !attributes.IsRegularFile)
                    throw new FileNotFoundException($"{path}: not a file in the site");
                var stream = await client.OpenAsync(Full(path), FileMode.Open, FileAccess.Read, cancellationToken);
                // The client stays rented for the stream's life: SSH.NET clients are not shared between callers.
                return new ReturningStream(stream, () => _pool.Return(client, true));
            }
            catch
            {
                _pool.Return(client, false);
                throw;
            }
        }
    }

    public Task CreateFolderAsync(string path, CancellationToken cancellationToken) =>
        WithClientAsync(async client =>
        {
            await EnsureFolderAsync(client, path, cancellationToken);
            return true;
        }, cancellationToken);

    public Task WriteFileAsync(string path, Stream content, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken) =>
        WithClientAsync(async client =>
        {
            await CheckFoldersAboveAsync(client, path, cancellationToken);
            var target = Full(path);
            var temp = target[..(target.LastIndexOf('/') + 1)] + ".bf-write-" + Guid.NewGuid().ToString("N");
            try
            {
                await using (var file = await client.OpenAsync(temp, FileMode.CreateNew, FileAccess.Write, cancellationToken))
                    await content.CopyToAsync(file, 128 * 1024, cancellationToken);
                await SetTimeAndModeAsync(client, temp, modifiedAt, mode, cancellationToken);
                // SSH.NET resolves the destination before the rename: over a link it would replace what the link points to.
                if (await LstatAsync(client, path, cancellationToken) is { IsRegularFile: false })
                    throw new IOException($"{path}: a folder or link is in the way of the file");
                client.RenameFile(temp, target, isPosix: true);
            }
            catch
            {
                try
                {
                    await client.DeleteFileAsync(temp, CancellationToken.None);
                }
                catch (SftpPathNotFoundException)
                {
                }
                throw;
            }
            return true;
        }, cancellationToken);

    public Task SetFolderAttributesAsync(string path, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken) =>
        WithClientAsync(async client =>
        {
            await CheckFoldersAboveAsync(client, path, cancellationToken);
            // SSH.NET resolves the path before it acts: a link here would have the attributes of what it points to changed.
            if (await LstatAsync(client, path, cancellationToken) is not { IsDirectory: true })
                throw new IOException($"{path}: not a folder");
            await SetTimeAndModeAsync(client, Full(path), modifiedAt, mode, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Gives a checked full path the time (modified and accessed) and, unless 0, the permission bits of <paramref name="mode"/>.</summary>
    private static async Task SetTimeAndModeAsync(SftpClient client, string full, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken)
    {
        var attributes = await client.GetAttributesAsync(full, cancellationToken);
        attributes.LastWriteTimeUtc = modifiedAt.UtcDateTime;
        attributes.LastAccessTimeUtc = modifiedAt.UtcDateTime;
        if (mode != 0)
            attributes.SetPermissions((short)Convert.ToInt16(Convert.ToString(mode & 0x1FF, 8)));
        client.SetAttributes(full, attributes);
    }

    public Task CreateLinkAsync(string path, string target, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Symbolic links are not written over SFTP (see CanCreateLinks).");

    public Task DeleteFileAsync(string path, CancellationToken cancellationToken) =>
        WithClientAsync(async client =>
        {
            await CheckFoldersAboveAsync(client, path, cancellationToken);
            var attributes = await LstatAsync(client, path, cancellationToken);
            if (attributes is null)
                return true;
            if (!attributes.IsRegularFile)
                throw new IOException($"{path}: not a file (a folder or a link, which SSH.NET would resolve and remove the target of)");
            await client.DeleteFileAsync(Full(path), cancellationToken);
            return true;
        }, cancellationToken);

    public Task DeleteFolderAsync(string path, CancellationToken cancellationToken) =>
        WithClientAsync(async client =>
        {
            await CheckFoldersAboveAsync(client, path, cancellationToken);
            await DeleteTreeAsync(client, path, cancellationToken);
            Forget(path);
            return true;
        }, cancellationToken);

    public Task RenameFolderAsync(string path, string newPath, CancellationToken cancellationToken) =>
        WithClientAsync(async client =>
        {
            await CheckFoldersAboveAsync(client, path, cancellationToken);
            await CheckFoldersAboveAsync(client, newPath, cancellationToken);
            if (await LstatAsync(client, path, cancellationToken) is not { IsDirectory: true })
                throw new IOException($"{path}: not a folder");
            if (await LstatAsync(client, newPath, cancellationToken) is not null)
                throw new IOException($"{newPath} exists");
            // Plain SSH_FXP_RENAME: OpenSSH refuses an existing destination (the POSIX extension would replace an empty folder).
            client.RenameFile(Full(path), Full(newPath), isPosix: false);
            Forget(path);
            return true;
        }, cancellationToken);

    private async Task DeleteTreeAsync(SftpClient client, string path, CancellationToken cancellationToken)
    {
        var attributes = await LstatAsync(client, path, cancellationToken);
        if (attributes is null)
            return;
        if (!attributes.IsDirectory)
        {
            // SSH.NET resolves the path before REMOVE: for a link that would remove what it points to. Refused instead.
            if (!attributes.IsRegularFile)
                throw new IOException($"{path}: a symbolic link (or special file), which cannot be removed safely over SFTP; remove it on the host");
            await client.DeleteFileAsync(Full(path), cancellationToken);
            return;
        }
        var children = new List<string>();
        await foreach (var file in client.ListDirectoryAsync(Full(path), cancellationToken))
        {
            if (file.Name is not ("." or ".."))
                children.Add(file.Name);
        }
        foreach (var child in children)
            await DeleteTreeAsync(client, Join(path, child), cancellationToken);
        await client.DeleteDirectoryAsync(Full(path), cancellationToken);
    }

    private async Task EnsureFolderAsync(SftpClient client, string path, CancellationToken cancellationToken)
    {
        Confine(path);
        var at = 0;
        while (true)
        {
            var slash = path.IndexOf('/', at);
            var folder = slash < 0 ? path : path[..slash];
            if (!IsKnownFolder(folder))
            {
                var attributes = await LstatAsync(client, folder, cancellationToken);
                if (attributes is null)
                {
                    await client.CreateDirectoryAsync(Full(folder), cancellationToken);
                    client.ChangePermissions(Full(folder), FolderModeOctal);
                }
                else if (!attributes.IsDirectory)
                {
                    throw new IOException($"{folder}: not a folder in the site (a link or a file)");
                }
                Remember(folder);
            }
            if (slash < 0)
                return;
            at = slash + 1;
        }
    }

    /// <summary>Every folder between the root and <paramref name="path"/> is a real folder (lstat, cached), or missing (nothing to follow).</summary>
    private async Task CheckFoldersAboveAsync(SftpClient client, string path, CancellationToken cancellationToken)
    {
        Confine(path);
        for (var slash = path.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = path.IndexOf('/', slash + 1))
        {
            var folder = path[..slash];
            if (IsKnownFolder(folder))
                continue;
            var attributes = await LstatAsync(client, folder, cancellationToken);
            if (attributes is null)
                return;
            if (!attributes.IsDirectory)
                throw new IOException($"{folder}: not a folder in the site (a link or a file); nothing is written through it");
            Remember(folder);
        }
    }

    /// <summary>
    /// What is at <paramref name="path"/> itself, as lstat says, or a link where a link lies anywhere along it. SSH.NET has
    /// no plain LSTAT: <see cref="SftpClient.GetAsync"/> first asks the server for the path's REALPATH (which resolves
    /// every link along it) and lstat-s the result, so a link would be reported as what it points to. Against the
    /// canonical root, a path without links is its own real path; one whose real path differs has a link in it and is
    /// reported as a link (its target unknown), and nothing is written through it.
    /// </summary>
    private async Task<Stat?> LstatAsync(SftpClient client, string path, CancellationToken cancellationToken)
    {
        ISftpFile file;
        try
        {
            file = await client.GetAsync(Full(path), cancellationToken);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
        if (path.Length == 0 || string.Equals(file.FullName, Full(path), StringComparison.Ordinal))
            return Stat.Of(file.Attributes);
        return new Stat(FileIndexEntry.SymbolicLinkType, 0, file.Attributes.LastWriteTimeUtc, 0);
    }

    /// <summary>The root as the server resolves it (once), so that the real path of a path without links is the path itself.</summary>
    private async Task EnsureRootAsync(SftpClient client, CancellationToken cancellationToken)
    {
        if (_root is not null)
            return;
        var root = await client.GetAsync(_pool.BaseFolder, cancellationToken);
        if (!root.IsDirectory)
            throw new IOException($"The site root {_pool.BaseFolder} is not a folder.");
        _root = root.FullName;
    }

    private async Task<T> WithClientAsync<T>(Func<SftpClient, Task<T>> body, CancellationToken cancellationToken)
    {
        var client = await _pool.RentAsync(cancellationToken);
        var reusable = false;
        try
        {
            await EnsureRootAsync(client, cancellationToken);
            var result = await body(client);
            reusable = true;
            return result;
        }
        catch (Exception ex) when (ex is SftpPathNotFoundException or SftpPermissionDeniedException or IOException or ArgumentException or FileNotFoundException)
        {
            // A clean answer from the server (or a refusal here): the connection is fine.
            reusable = client.IsConnected;
            throw;
        }
        finally
        {
            _pool.Return(client, reusable);
        }
    }

    private static short FolderModeOctal => (short)Convert.ToInt16(Convert.ToString(FolderMode, 8));

    private bool IsKnownFolder(string folder)
    {
        lock (_lock)
            return _realFolders.Contains(folder);
    }

    private void Remember(string folder)
    {
        lock (_lock)
            _realFolders.Add(folder);
    }

    private void Forget(string path)
    {
        lock (_lock)
            _realFolders.RemoveWhere(f => f == path || f.StartsWith(path + "/", StringComparison.Ordinal));
    }

    private string Full(string path)
    {
        Confine(path);
        var root = (_root ?? throw new InvalidOperationException("No connection has been made yet.")).TrimEnd('/');
        return path.Length == 0 ? (root.Length == 0 ? "/" : root) : root + "/" + path;
    }

    /// <summary>The root ("") or a plain relative path: no absolute path, no '.', '..' or empty segment, no NUL.</summary>
    private static void Confine(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > 0 && !ArchiveEntryRules.IsPlainRelative(path))
            throw new ArgumentException($"'{path}' is not a plain relative path below the site root.", nameof(path));
    }

    private static string Join(string folder, string name) => folder.Length == 0 ? name : folder + "/" + name;

    /// <summary>An entry's own kind, size, time and permission bits.</summary>
    private sealed record Stat(string Type, long Size, DateTime ModifiedUtc, int Mode)
    {
        public bool IsDirectory => Type == FileIndexEntry.DirectoryType;

        public bool IsRegularFile => Type == FileIndexEntry.FileType;

        public static Stat Of(SftpFileAttributes attributes)
        {
            var type = attributes.IsSymbolicLink ? FileIndexEntry.SymbolicLinkType
                : attributes.IsDirectory ? FileIndexEntry.DirectoryType
                : attributes.IsRegularFile ? FileIndexEntry.FileType
                : "special";
            // The rwx bits only: what the target writes (setuid, setgid and sticky are never set by a restore).
            var mode = SftpSiteSource.ModeOf(attributes) & 0x1FF;
            return new Stat(type, type == FileIndexEntry.FileType ? attributes.Size : 0, attributes.LastWriteTimeUtc, mode);
        }

        public SiteEntry ToEntry(string path) =>
            new(path, Type, Size, new DateTimeOffset(DateTime.SpecifyKind(ModifiedUtc, DateTimeKind.Utc)), Mode);
    }

    /// <summary>A rented client's read stream; the client goes back to the pool when the stream is disposed.</summary>
    private sealed class ReturningStream(Stream inner, Action release) : Stream
    {
        private int _released;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => inner.ReadAsync(buffer, cancellationToken);

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _released, 1) == 0)
            {
                inner.Dispose();
                release();
            }
            base.Dispose(disposing);
        }
    }
}
