using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Streams;
using Renci.SshNet;
using Renci.SshNet.Common;
using Renci.SshNet.Sftp;

namespace BackupFunctions.Core.Storage.Sftp;

/// <summary>
/// A destination in a folder of an SFTP server (SSH.NET): object <c>a/b/c</c> is the file <c>base/a/b/c</c>.
/// </summary>
/// <remarks>
/// <para>The server must present the host key pinned in <see cref="SftpStoreSettings.HostKeyFingerprint"/>; any other
/// key ends the connection before a password or key signature is sent (<see cref="StoreFailureKind.Permission"/>,
/// the message names both fingerprints).</para>
/// <para>A put writes a hidden temporary file next to the target (<c>.c.tmp-&lt;random&gt;</c>, mode
/// <see cref="SftpStoreSettings.FileMode"/> before the first byte is written) and renames it over the target with
/// the OpenSSH <c>posix-rename</c> extension, so readers see the old object or the complete new one. A failed or
/// cancelled put deletes its temporary file; only a connection (or process) that breaks mid-put can leave one behind.
/// Those are never listed (names that look like one are refused); <see cref="ListTemporaryAsync"/> finds them. Folders are created as needed with
/// <see cref="SftpStoreSettings.FolderMode"/> and removed again when a delete empties them, as in
/// <see cref="LocalFolderStore"/>. Data is not fsynced on the server: SSH.NET has no <c>fsync@openssh.com</c>.</para>
/// <para>Every operation rents a connection of its own from a small pool (see <see cref="SftpConnectionPool"/>),
/// so the store may be called from parallel activities; a broken connection is replaced on the next call.
/// Connecting is bounded by <see cref="SftpStoreSettings.ConnectTimeout"/> and every SFTP request by
/// <see cref="SftpStoreSettings.OperationTimeout"/>, besides the caller's cancellation token.</para>
/// </remarks>
public sealed class SftpStore : IBackupStore, IDisposable
{
    private const int PutAttempts = 3;

    // Less free space than this after a generic write failure is read as a full disk (SFTP v3 has no "no space" status).
    private const long FullThresholdBytes = 4L * 1024 * 1024;

    // A cleanup after a failed or cancelled put must not hang on a dead server, nor be skipped because of the cancellation.
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(10);

    private readonly SftpConnectionPool _pool;
    private readonly short _fileMode;
    private readonly short _folderMode;

    /// <param name="network">
    /// Which addresses the store may connect to: the host is resolved and judged at every connect, and the connection
    /// goes to the judged address (the pinned host key proves the server, so nothing is lost by not connecting by
    /// name). Null: <see cref="NetworkPolicy.InternalAllowed"/> (everything but link-local and metadata addresses).
    /// </param>
    /// <exception cref="ArgumentException">A setting is missing or malformed; the message names it.</exception>
    public SftpStore(SftpStoreSettings settings, NetworkPolicy? network = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Host, nameof(settings.Host));
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.UserName, nameof(settings.UserName));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Port, 1, nameof(settings.Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(settings.Port, 65535, nameof(settings.Port));
        ArgumentOutOfRangeException.ThrowIfNegative(settings.MaxIdleConnections, nameof(settings.MaxIdleConnections));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.ConnectTimeout, TimeSpan.Zero, nameof(settings.ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.OperationTimeout, TimeSpan.Zero, nameof(settings.OperationTimeout));
        if (settings.Password is null && settings.PrivateKey is null)
            throw new ArgumentException("An SFTP destination needs a password or a private key.", nameof(settings));
        ValidateBasePath(settings.BasePath, nameof(settings));
        _pool = new SftpConnectionPool(settings, network ?? NetworkPolicy.InternalAllowed);
        _fileMode = ToSshNetMode(settings.FileMode, nameof(settings.FileMode));
        _folderMode = ToSshNetMode(settings.FolderMode, nameof(settings.FolderMode));
        var host = settings.Host.Contains(':', StringComparison.Ordinal) ? $"[{settings.Host}]" : settings.Host;
        // sftp://host/path is relative to the login folder and sftp://host//path absolute, as duplicity and restic write it.
        Location = $"sftp://{settings.UserName}@{host}:{settings.Port}/{settings.BasePath.TrimEnd('/')}";
    }

    /// <summary><c>sftp://user@host:port/relative/base</c> or <c>sftp://user@host:port//absolute/base</c>.</summary>
    public string Location { get; }

    /// <remarks>
    /// Creates the base folder when it is missing but its parent exists, and the folders of the name below it.
    /// </remarks>
    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(content);
        cancellationToken.ThrowIfCancellationRequested();

        var client = await RentAsync("put", name, cancellationToken);
        var healthy = false;
        string? tempPath = null;
        var source = new WatchedSourceStream(content);
        try
        {
            var target = PathOf(name);
            var folder = target[..target.LastIndexOf('/')];
            tempPath = $"{folder}/{TemporaryNames.ForFile(target[(folder.Length + 1)..])}";

            await CreateTempFileAsync(client, name, tempPath, cancellationToken);
            // The library's upload keeps several write requests in flight: about 2.5 times the throughput of
            // writing through an SftpFileStream, which waits for each 32 KiB write. It reopens the file it is given
            // without changing its mode.
            await client.UploadFileAsync(source, tempPath, canOverride: true, uploadProgress: null, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            // posix-rename@openssh.com replaces the target in one step; plain SFTP rename refuses an existing target.
            client.RenameFile(tempPath, target, isPosix: true);
            tempPath = null;
            healthy = true;
        }
        catch (StoreException)
        {
            // Told by the folder creation, from a clean answer of the server; no temporary file exists yet.
            healthy = true;
            throw;
        }
        catch (SftpException ex) when (source.Failure is null)
        {
            healthy = true;
            var kind = await FailureKindAsync(client, ex, tempPath, cancellationToken);
            await DeleteTempAsync(client, tempPath);
            throw Map("put", name, ex, kind);
        }
        catch (Exception ex)
        {
            // A source failure, a cancellation or a broken connection: the connection is not trusted again.
            await DeleteTempAsync(client, tempPath);
            // A failing source (a dying pg_dump) passes through as it is, whatever the library wrapped it in.
            source.Failure?.Throw();
            if (Map("put", name, ex, cancellationToken) is { } mapped)
                throw mapped;
            throw;
        }
        finally
        {
            _pool.Return(client, healthy);
        }
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        return await OpenAsync(name, offset: 0, length: null, cancellationToken);
    }

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return await OpenAsync(name, offset, length, cancellationToken);
    }

    public async Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        return await RunAsync("get info", name, async client =>
        {
            var attributes = await TryGetAttributesAsync(client, PathOf(name), cancellationToken);
            return attributes is { IsRegularFile: true }
                ? new StoredObjectInfo(name, attributes.Size, new DateTimeOffset(attributes.LastWriteTimeUtc, TimeSpan.Zero))
                : null;
        }, cancellationToken);
    }

    /// <remarks>Walks the folders below the prefix's last complete segment and sorts the names (a few hundred bytes per object).</remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken)
        => ListFilesAsync(prefix, temporaries: false, cancellationToken);

    /// <remarks>Walks the folders like <see cref="ListAsync"/>.</remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken)
        => ListFilesAsync(prefix, temporaries: true, cancellationToken);

    public async Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken)
    {
        TemporaryNames.ValidateTemporary(name, Location);
        await RunAsync("delete temporary", name, async client =>
        {
            var path = PathOf(name);
            try
            {
                await client.DeleteFileAsync(path, cancellationToken);
            }
            catch (SftpPathNotFoundException)
            {
                // Already gone (renamed by its put after all, or removed by another sweep).
            }
            await RemoveEmptyFoldersAsync(client, path[..path.LastIndexOf('/')], cancellationToken);
            return true;
        }, cancellationToken);
    }

    private async IAsyncEnumerable<StoredObjectInfo> ListFilesAsync(string prefix, bool temporaries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNameRules.ValidatePrefix(prefix);
        var lastSlash = prefix.LastIndexOf('/');
        var folderName = lastSlash < 0 ? "" : prefix[..(lastSlash + 1)];

        var found = await RunAsync("list", prefix, async client =>
        {
            var result = new List<StoredObjectInfo>();
            var start = folderName.Length == 0 ? _pool.BaseFolder : PathOf(folderName.TrimEnd('/'));
            await CollectAsync(client, start, folderName, prefix, temporaries, result, isStart: true, cancellationToken);
            return result;
        }, cancellationToken);

        found.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var info in found)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return info;
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        await RunAsync("delete", name, async client =>
        {
            var path = PathOf(name);
            try
            {
                await client.DeleteFileAsync(path, cancellationToken);
            }
            catch (SftpPathNotFoundException)
            {
                // Already gone (or its folder is): the contract's success.
            }
            catch (SftpException ex) when (ex is not SftpPermissionDeniedException)
            {
                // A folder of other objects is not an object of this name; anything else is a real failure.
                if ((await TryGetAttributesAsync(client, path, cancellationToken))?.IsDirectory != true)
                    throw;
            }
            await RemoveEmptyFoldersAsync(client, path[..path.LastIndexOf('/')], cancellationToken);
            return true;
        }, cancellationToken);
    }

    /// <summary>Closes the idle connections; connections still rented (open read streams) close when returned.</summary>
    public void Dispose() => _pool.Dispose();

    private async Task<Stream> OpenAsync(string name, long offset, long? length, CancellationToken cancellationToken)
    {
        var client = await RentAsync("read", name, cancellationToken);
        var handedOver = false;
        var healthy = false;
        try
        {
            var path = PathOf(name);
            var attributes = await TryGetAttributesAsync(client, path, cancellationToken);
            if (attributes is not { IsRegularFile: true })
            {
                healthy = true;
                throw new StoreObjectNotFoundException($"SFTP read '{name}' in {Location} failed: no such object.");
            }
            if (length == 0 || offset >= attributes.Size)
            {
                healthy = true;
                return Stream.Null;
            }

            var file = await client.OpenAsync(path, FileMode.Open, FileAccess.Read, cancellationToken);
            try
            {
                if (offset > 0)
                    file.Seek(offset, SeekOrigin.Begin);
            }
            catch
            {
                file.Dispose();
                throw;
            }
            Stream stream = new SftpReadStream(_pool, client, file, (ex, ct) => Map("read", name, ex, ct));
            handedOver = true;
            return length is { } limit ? new LengthLimitedReadStream(stream, limit) : stream;
        }
        catch (SftpException ex)
        {
            healthy = true;
            // Deleted between the stat and the open: as missing as before the stat.
            throw Map("read", name, ex, StoreFailureKind.ObjectNotFound);
        }
        catch (Exception ex) when (Map("read", name, ex, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
        finally
        {
            if (!handedOver)
                _pool.Return(client, healthy);
        }
    }

    private async Task CreateTempFileAsync(SftpClient client, string name, string tempPath, CancellationToken cancellationToken)
    {
        // A concurrent delete of the last object in the folder may remove the folder between creating and opening.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using (await client.OpenAsync(tempPath, FileMode.CreateNew, FileAccess.Write, cancellationToken))
                {
                }
            }
            catch (SftpPathNotFoundException) when (attempt < PutAttempts)
            {
                await CreateFoldersAsync(client, name, cancellationToken);
                continue;
            }
            // Before the first byte: the server created the file with its umask's idea of a mode.
            client.ChangePermissions(tempPath, _fileMode);
            return;
        }
    }

    private async Task CreateFoldersAsync(SftpClient client, string name, CancellationToken cancellationToken)
    {
        var folder = _pool.BaseFolder;
        var segments = name.Split('/');
        // The base folder itself (index -1), then every folder of the name.
        for (var i = -1; i < segments.Length - 1; i++)
        {
            if (i >= 0)
                folder = Combine(folder, segments[i]);
            var attributes = await TryGetAttributesAsync(client, folder, cancellationToken);
            if (attributes is { IsDirectory: true })
                continue;
            if (attributes is not null)
            {
                throw new StoreException(
                    $"SFTP put '{name}' in {Location} failed: '{string.Join('/', segments[..(i + 1)])}' is an object, not a folder.");
            }
            try
            {
                await client.CreateDirectoryAsync(folder, cancellationToken);
            }
            catch (SftpPathNotFoundException ex) when (i < 0)
            {
                throw new StoreException(
                    $"SFTP put '{name}' in {Location} failed: the base folder cannot be created because its parent does not exist.",
                    StoreFailureKind.ContainerNotFound, ex);
            }
            catch (SftpException)
            {
                // Created by a concurrent put meanwhile, or a real failure (permission) that the retry of the open reports.
                if ((await TryGetAttributesAsync(client, folder, cancellationToken))?.IsDirectory == true)
                    continue;
                throw;
            }
            client.ChangePermissions(folder, _folderMode);
        }
    }

    private static async Task CollectAsync(SftpClient client, string folder, string folderName, string prefix, bool temporaries,
        List<StoredObjectInfo> found, bool isStart, CancellationToken cancellationToken)
    {
        var subfolders = new List<(string Path, string Name)>();
        try
        {
            await foreach (var entry in client.ListDirectoryAsync(folder, cancellationToken))
            {
                if (entry.Name is "." or "..")
                    continue;
                var name = folderName + entry.Name;
                if (entry.IsDirectory)
                {
                    if ((name + "/").StartsWith(prefix, StringComparison.Ordinal))
                        subfolders.Add((entry.FullName, name + "/"));
                }
                else if (entry.IsRegularFile && IsTempFileName(entry.Name) == temporaries && name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    found.Add(new StoredObjectInfo(name, entry.Length, new DateTimeOffset(entry.LastWriteTimeUtc, TimeSpan.Zero)));
                }
            }
        }
        catch (SftpPathNotFoundException)
        {
            // Nothing stored under the prefix yet (or the base folder is missing); a deeper folder was deleted meanwhile.
            return;
        }
        catch (SftpException) when (!isStart)
        {
            // A folder emptied and removed by a concurrent delete between listing its parent and opening it.
            return;
        }
        foreach (var (path, name) in subfolders)
            await CollectAsync(client, path, name, prefix, temporaries, found, isStart: false, cancellationToken);
    }

    // Retention deletes whole backups; without this every deleted backup would leave its empty folder behind.
    private async Task RemoveEmptyFoldersAsync(SftpClient client, string folder, CancellationToken cancellationToken)
    {
        var baseFolder = _pool.BaseFolder;
        while (folder.Length > baseFolder.Length && folder.StartsWith(baseFolder, StringComparison.Ordinal))
        {
            try
            {
                // Refused while the folder holds anything (a put may have just arrived): then there is nothing to tidy.
                await client.DeleteDirectoryAsync(folder, cancellationToken);
            }
            catch (SftpException)
            {
                return;
            }
            folder = folder[..folder.LastIndexOf('/')];
        }
    }

    private static async Task<StoreFailureKind> FailureKindAsync(SftpClient client, SftpException ex, string? tempPath, CancellationToken cancellationToken)
    {
        switch (ex)
        {
            case SftpPathNotFoundException:
                return StoreFailureKind.ContainerNotFound;
            case SftpPermissionDeniedException:
                return StoreFailureKind.Permission;
        }
        if (ex.StatusCode != StatusCode.Failure || tempPath is null)
            return StoreFailureKind.Other;
        // ENOSPC and EDQUOT reach an SFTP v3 client as a bare "Failure"; the file system's free space tells (statvfs@openssh.com).
        try
        {
            var status = await client.GetStatusAsync(tempPath[..tempPath.LastIndexOf('/')], cancellationToken);
            return (decimal)status.AvailableBlocks * status.BlockSize < FullThresholdBytes ? StoreFailureKind.Full : StoreFailureKind.Other;
        }
        catch (Exception probe) when (probe is SshException or IOException or OperationCanceledException)
        {
            return StoreFailureKind.Other;
        }
    }

    private static async Task DeleteTempAsync(SftpClient client, string? tempPath)
    {
        if (tempPath is null || !client.IsConnected)
            return;
        using var timeout = new CancellationTokenSource(CleanupTimeout);
        try
        {
            await client.DeleteFileAsync(tempPath, timeout.Token);
        }
        catch (Exception ex) when (ex is SshException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Never created, or the connection is gone: a temp file left behind is never listed.
        }
    }

    private static async Task<SftpFileAttributes?> TryGetAttributesAsync(SftpClient client, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetAttributesAsync(path, cancellationToken);
        }
        catch (SftpPathNotFoundException)
        {
            return null;
        }
    }

    private async Task<T> RunAsync<T>(string operation, string name, Func<SftpClient, Task<T>> action, CancellationToken cancellationToken)
    {
        var client = await RentAsync(operation, name, cancellationToken);
        var healthy = false;
        try
        {
            var result = await action(client);
            healthy = true;
            return result;
        }
        catch (SftpException ex)
        {
            // The server answered: the connection is fine.
            healthy = true;
            throw Map(operation, name, ex, StoreFailureKind.Other);
        }
        catch (Exception ex) when (Map(operation, name, ex, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
        finally
        {
            _pool.Return(client, healthy);
        }
    }

    private async Task<SftpClient> RentAsync(string operation, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _pool.RentAsync(cancellationToken);
        }
        catch (Exception ex) when (Map(operation, name, ex, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>The store's exception for a failure of the server or the connection; null for anything else (the caller's cancellation, bugs).</summary>
    /// <remarks>
    /// Messages are ours: SSH.NET's quote the server (its disconnect reason, its identification banner, the text of
    /// an SFTP status), which must not reach an API caller. The exception, logged server-side, keeps them.
    /// </remarks>
    private Exception? Map(string operation, string name, Exception ex, CancellationToken cancellationToken)
    {
        var prefix = $"SFTP {operation} '{name}' in {Location} failed";
        if (ex is not StoreException && StoreFailureText.Refusal($"SFTP {operation} '{name}' in {Location} refused", ex) is { } refused)
            return refused;
        return ex switch
        {
            StoreException => ex,
            // Our own words, with the two fingerprints (hashes we computed).
            HostKeyMismatchException => new StoreException($"{prefix}: {ex.Message}", StoreFailureKind.Permission, ex),
            SshAuthenticationException => new StoreException(
                $"{prefix}: the login was refused (check the user, the password, or the private key and its passphrase).", StoreFailureKind.Authentication, ex),
            SftpException sftp => Map(operation, name, sftp, StoreFailureKind.Other),
            SshOperationTimeoutException => new StoreTransientException($"{prefix}: it timed out.", StoreFailureKind.Network, ex),
            SshConnectionException => new StoreTransientException($"{prefix}: the SSH connection could not be made or was closed.", StoreFailureKind.Network, ex),
            ProxyException or SocketException or IOException or TimeoutException
                => new StoreTransientException($"{prefix}: {StoreFailureText.Describe(ex)}.", StoreFailureKind.Network, ex),
            // A request timed out inside the library, not the caller's cancellation.
            OperationCanceledException when !cancellationToken.IsCancellationRequested
                => new StoreTransientException($"{prefix}: it timed out.", StoreFailureKind.Network, ex),
            // No common algorithm, a protocol error: retrying the same server will not help.
            SshException => new StoreException($"{prefix}: the SSH negotiation failed ({ex.GetType().Name}).", StoreFailureKind.Other, ex),
            _ => null,
        };
    }

    private StoreException Map(string operation, string name, SftpException ex, StoreFailureKind kind)
    {
        var said = ex switch
        {
            SftpPathNotFoundException => "no such file or folder",
            SftpPermissionDeniedException => "permission denied",
            _ => "the server reported a failure",
        };
        var message = $"SFTP {operation} '{name}' in {Location} failed: {said}"
                      + (kind == StoreFailureKind.Full ? " (the server's file system has no space left)" : "") + ".";
        return ex switch
        {
            SftpPathNotFoundException when kind == StoreFailureKind.ObjectNotFound => new StoreObjectNotFoundException(message, ex),
            SftpPermissionDeniedException => new StoreException(message, StoreFailureKind.Permission, ex),
            _ when kind == StoreFailureKind.ObjectNotFound => new StoreException(message, StoreFailureKind.Other, ex),
            _ => new StoreException(message, kind, ex),
        };
    }

    private string PathOf(string name) => Combine(_pool.BaseFolder, name);

    private static string Combine(string folder, string name) => folder.EndsWith('/') ? folder + name : $"{folder}/{name}";

    private static void ValidateName(string name)
    {
        ObjectNameRules.Validate(name);
        if (IsTempFileName(name.AsSpan(name.LastIndexOf('/') + 1)))
            throw new ArgumentException($"Object name '{name}' is reserved for temporary files of an SFTP destination.", nameof(name));
    }

    private static void ValidateBasePath(string basePath, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(basePath, parameterName);
        if (ObjectNameRules.BasePathProblem(basePath) is { } problem)
        {
            throw new ArgumentException(
                $"The base path '{ObjectNameRules.Printable(basePath)}' must be '/'-separated folder names without '.', '..' or empty segments: it {problem}.",
                parameterName);
        }
    }

    // SSH.NET takes a mode as the decimal number whose digits are the octal ones (0640 is 640).
    private static short ToSshNetMode(UnixFileMode mode, string parameterName)
    {
        var bits = (int)mode;
        if (bits is < 0 or > 0x1FF)
            throw new ArgumentOutOfRangeException(parameterName, mode, "Only the permission bits (0000–0777) can be set over SFTP.");
        return short.Parse(Convert.ToString(bits, 8), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private static bool IsTempFileName(ReadOnlySpan<char> fileName) => TemporaryNames.IsTemporary(fileName);
}
