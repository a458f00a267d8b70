using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>
/// A destination in a folder of an FTP or explicit FTPS server (passive mode only): object <c>a/b/c</c> is the file
/// <c>base/a/b/c</c>.
/// </summary>
/// <remarks>
/// <para>A put uploads (STOR) to a hidden temporary name in the target folder (<c>.c.tmp-&lt;random&gt;</c>) and
/// renames it over the target (RNFR/RNTO; servers on Unix rename(2), which replaces the old file in one step), so
/// readers see the old object or the complete new one. A failed or cancelled put deletes its temporary file; a
/// process killed mid-put (or a server gone before the delete) leaves it behind. Temporary files are never listed,
/// and names that look like one are refused; <see cref="ListTemporaryAsync"/> finds them.</para>
/// <para>The base folder must exist: every operation fails with <see cref="StoreFailureKind.ContainerNotFound"/>
/// otherwise (a mistyped path must not look like an empty destination). Folders below it are made as needed and
/// removed when a delete empties them.</para>
/// <para>Listing uses MLSD when the server has it and parses the Unix-style LIST otherwise (vsftpd): sizes are exact,
/// times from LIST are minutes (days for files older than six months); <see cref="GetInfoAsync"/> asks MDTM, which
/// has seconds.</para>
/// <para>Operations run in parallel on up to <see cref="FtpStoreSettings.MaxConnections"/> control connections; an open
/// read stream holds one until it is disposed. Connects time out after <see cref="FtpStoreSettings.ConnectTimeout"/>,
/// and a server silent for <see cref="FtpStoreSettings.ReadWriteTimeout"/> fails the operation as transient.</para>
/// </remarks>
public sealed class FtpStore : IBackupStore, IAsyncDisposable
{
    private const int CopyBufferSize = 256 * 1024;
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(15);

    private readonly FtpConnectionPool _pool;
    private readonly TimeProvider _time;

    /// <param name="network">
    /// Which addresses the store may connect to, judged at every connect (control and data connections); null:
    /// <see cref="Network.NetworkPolicy.InternalAllowed"/> (everything but link-local and metadata addresses).
    /// </param>
    public FtpStore(FtpStoreSettings settings, TimeProvider? timeProvider = null, Network.NetworkPolicy? network = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentException.ThrowIfNullOrWhiteSpace(settings.Host, nameof(settings));
        ArgumentException.ThrowIfNullOrEmpty(settings.User, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxConnections, 1, nameof(settings));
        if (settings.Port is < 1 or > 65535)
            throw new ArgumentOutOfRangeException(nameof(settings), $"Port {settings.Port} is not a TCP port.");
        if (settings.User.Any(char.IsControl) || settings.Password.Any(char.IsControl))
            throw new ArgumentException("FTP user and password must not contain control characters.", nameof(settings));
        // The rule the API checks a posted base path with (control characters, '.', '..', empty segments).
        if (ObjectNameRules.BasePathProblem(settings.BasePath) is { } problem)
            throw new ArgumentException($"The FTP base path '{ObjectNameRules.Printable(settings.BasePath)}' {problem}.", nameof(settings));
        // Checked here so a bad fingerprint fails at configuration time, not at the first connect.
        FtpControlConnection.ParseFingerprint(settings.CertificateSha256);

        var basePath = settings.BasePath.Length == 0 ? "" : "/" + settings.BasePath.Trim('/');
        Location = $"{(settings.TlsMode == FtpTlsMode.Explicit ? "ftps" : "ftp")}://{settings.User}@{settings.Host}:{settings.Port}{basePath}";
        _pool = new FtpConnectionPool(settings with { BasePath = settings.BasePath.Length == 0 ? "." : settings.BasePath }, Location,
            network ?? Network.NetworkPolicy.InternalAllowed);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary><c>ftp://user@host:port/base</c> or <c>ftps://…</c>; never the password.</summary>
    public string Location { get; }

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ArgumentNullException.ThrowIfNull(content);
        cancellationToken.ThrowIfCancellationRequested();

        var slash = name.LastIndexOf('/');
        var folder = slash < 0 ? "" : name[..slash];
        var tempName = $"{(slash < 0 ? "" : folder + "/")}{TemporaryNames.ForFile(name[(slash + 1)..])}";
        var tempMayExist = false;
        var sourceFailed = false;
        var connection = await RentAsync("put", name, cancellationToken);
        try
        {
            var tempPath = Absolute(connection, tempName);
            Stream data;
            try
            {
                tempMayExist = true;
                data = await connection.OpenDataAsync("STOR " + tempPath, cancellationToken);
            }
            catch (FtpReplyException ex) when (ex.Reply.Code is 550 or 553 && folder.Length > 0)
            {
                // vsftpd says 553 both for a missing folder and a refused one: make the folders, then try once more.
                await CreateFoldersAsync(connection, folder, cancellationToken);
                data = await connection.OpenDataAsync("STOR " + tempPath, cancellationToken);
            }

            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
            try
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
                        // The data connection is abandoned mid-transfer; the conversation is out of step.
                        connection.MarkBroken();
                        throw;
                    }
                    if (read == 0)
                        break;
                    await connection.GuardAsync(async token =>
                    {
                        await data.WriteAsync(buffer.AsMemory(0, read), token);
                        return true;
                    }, cancellationToken);
                }
                // TLS close_notify, so the server can tell a complete upload from a cut connection.
                if (data is System.Net.Security.SslStream tls)
                    await connection.GuardAsync(async _ => { await tls.ShutdownAsync(); return true; }, cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                await data.DisposeAsync();
            }
            var stored = await connection.ReadReplyAsync(cancellationToken);
            if (stored.Code is not (226 or 250))
                throw new FtpReplyException("STOR", stored);

            cancellationToken.ThrowIfCancellationRequested();
            await connection.ExpectAsync("RNFR " + tempPath, cancellationToken, 350);
            await connection.ExpectAsync("RNTO " + Absolute(connection, name), cancellationToken, 250);
            tempMayExist = false;
        }
        catch (Exception ex) when (!sourceFailed && IsFtpFailure(ex, cancellationToken))
        {
            throw Map("put", name, ex);
        }
        finally
        {
            await _pool.ReturnAsync(connection);
            if (tempMayExist)
                await TryDeleteTempAsync(tempName);
        }
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        return OpenReadFromAsync(name, 0, cancellationToken);
    }

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        ValidateName(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        // The size tells existence and the end, so a range at or past the end needs no transfer (servers differ in
        // what REST past the end does).
        var info = await GetInfoAsync(name, cancellationToken)
                   ?? throw new StoreObjectNotFoundException($"FTP read '{name}' in {Location} failed: the object does not exist.");
        if (length == 0 || offset >= info.Size)
            return Stream.Null;
        return new LengthLimitedReadStream(await OpenReadFromAsync(name, offset, cancellationToken), length);
    }

    public async Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        ValidateName(name);
        var connection = await RentAsync("get info", name, cancellationToken);
        try
        {
            var path = Absolute(connection, name);
            var size = await SizeOfAsync(connection, path, cancellationToken);
            if (size is null)
                return null;
            var modified = await connection.ExecuteAsync("MDTM " + path, cancellationToken);
            if (modified.Code == 550)
                return null;
            if (modified.Code != 213 || !FtpParsing.TryParseTimeVal(modified.Text, out var time))
                throw new FtpReplyException("MDTM", modified);
            return new StoredObjectInfo(name, size.Value, time);
        }
        catch (Exception ex) when (IsFtpFailure(ex, cancellationToken))
        {
            throw Map("get info", name, ex);
        }
        finally
        {
            await _pool.ReturnAsync(connection);
        }
    }

    /// <remarks>Walks the folders under the prefix's last complete segment, collects, and sorts (names only, a few hundred bytes per object).</remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken)
        => ListFilesAsync(prefix, temporaries: false, cancellationToken);

    /// <remarks>Walks the folders like <see cref="ListAsync"/>; times from LIST are minutes.</remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken)
        => ListFilesAsync(prefix, temporaries: true, cancellationToken);

    public async Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken)
    {
        TemporaryNames.ValidateTemporary(name, Location);
        var connection = await RentAsync("delete temporary", name, cancellationToken);
        try
        {
            var path = Absolute(connection, name);
            var deleted = await connection.ExecuteAsync("DELE " + path, cancellationToken);
            // vsftpd says 550 for a missing file and for a refused delete alike: only a file still there is a refusal.
            if (deleted.Code == 550 && await SizeOfAsync(connection, path, cancellationToken) is not null)
                throw new FtpReplyException("DELE", deleted);
            if (deleted.Code is not (250 or 550))
                throw new FtpReplyException("DELE", deleted);
            await RemoveEmptyFoldersAsync(connection, name, cancellationToken);
        }
        catch (Exception ex) when (IsFtpFailure(ex, cancellationToken))
        {
            throw Map("delete temporary", name, ex);
        }
        finally
        {
            await _pool.ReturnAsync(connection);
        }
    }

    private async IAsyncEnumerable<StoredObjectInfo> ListFilesAsync(string prefix, bool temporaries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNameRules.ValidatePrefix(prefix);
        var lastSlash = prefix.LastIndexOf('/');
        var start = lastSlash < 0 ? "" : prefix[..lastSlash];
        var found = new List<StoredObjectInfo>();
        var connection = await RentAsync("list", prefix, cancellationToken);
        try
        {
            var folders = new Stack<string>([start]);
            while (folders.TryPop(out var folder))
            {
                var entries = await ListFolderAsync(connection, folder, cancellationToken);
                foreach (var entry in entries)
                {
                    var name = folder.Length == 0 ? entry.Name : folder + "/" + entry.Name;
                    if (entry.IsFolder)
                    {
                        // Descend only where names with the prefix can be.
                        var asFolder = name + "/";
                        if (asFolder.StartsWith(prefix, StringComparison.Ordinal) || prefix.StartsWith(asFolder, StringComparison.Ordinal))
                            folders.Push(name);
                    }
                    else if (name.StartsWith(prefix, StringComparison.Ordinal) && IsTempFileName(entry.Name) == temporaries)
                    {
                        found.Add(new StoredObjectInfo(name, entry.Size, entry.LastModified));
                    }
                }
            }
        }
        catch (Exception ex) when (IsFtpFailure(ex, cancellationToken))
        {
            throw Map("list", prefix, ex);
        }
        finally
        {
            await _pool.ReturnAsync(connection);
        }

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
        var connection = await RentAsync("delete", name, cancellationToken);
        try
        {
            var path = Absolute(connection, name);
            var deleted = await connection.ExecuteAsync("DELE " + path, cancellationToken);
            if (deleted.Code == 550)
            {
                // vsftpd says 550 for a missing file and for a refused delete alike: only a file still there is a refusal.
                if (await SizeOfAsync(connection, path, cancellationToken) is null)
                    return;
                throw new FtpReplyException("DELE", deleted);
            }
            if (deleted.Code != 250)
                throw new FtpReplyException("DELE", deleted);
            await RemoveEmptyFoldersAsync(connection, name, cancellationToken);
        }
        catch (Exception ex) when (IsFtpFailure(ex, cancellationToken))
        {
            throw Map("delete", name, ex);
        }
        finally
        {
            await _pool.ReturnAsync(connection);
        }
    }

    /// <summary>Closes the idle control connections.</summary>
    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private async Task<Stream> OpenReadFromAsync(string name, long offset, CancellationToken cancellationToken)
    {
        var connection = await RentAsync("read", name, cancellationToken);
        try
        {
            var path = Absolute(connection, name);
            if (offset > 0)
                await connection.ExpectAsync(FormattableString.Invariant($"REST {offset}"), cancellationToken, 350);
            Stream data;
            try
            {
                data = await connection.OpenDataAsync("RETR " + path, cancellationToken);
            }
            catch (FtpReplyException ex) when (ex.Reply.Code == 550)
            {
                // vsftpd says 550 for a missing and for an unreadable file: SIZE answers for any file that exists.
                if (await SizeOfAsync(connection, path, cancellationToken) is null)
                    throw new StoreObjectNotFoundException($"FTP read '{name}' in {Location} failed: the object does not exist ({ex.Reply.Code}).", ex);
                throw;
            }
            return new FtpDownloadStream(_pool, connection, data, ex => Map("read", name, ex));
        }
        catch (Exception ex) when (IsFtpFailure(ex, cancellationToken))
        {
            await _pool.ReturnAsync(connection);
            throw Map("read", name, ex);
        }
        catch
        {
            await _pool.ReturnAsync(connection);
            throw;
        }
    }

    private async Task<List<FtpListEntry>> ListFolderAsync(FtpControlConnection connection, string folder, CancellationToken cancellationToken)
    {
        var entries = new List<FtpListEntry>();
        // LIST takes options and wildcards in its argument, so the folder is entered rather than named.
        var cwd = await connection.ExecuteAsync("CWD " + Absolute(connection, folder), cancellationToken);
        if (cwd.Code == 550)
            return entries;
        if (cwd.Code != 250)
            throw new FtpReplyException("CWD", cwd);

        var now = _time.GetUtcNow();
        var data = await connection.OpenDataAsync(connection.SupportsMlsd ? "MLSD" : "LIST -a", cancellationToken);
        await using (data)
        {
            using var reader = new StreamReader(data, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            while (await connection.GuardAsync(async token => await reader.ReadLineAsync(token), cancellationToken) is { } line)
            {
                var parsed = connection.SupportsMlsd
                    ? FtpParsing.TryParseMlsdLine(line, out var entry)
                    : FtpParsing.TryParseUnixListLine(line, now, out entry);
                if (parsed)
                    entries.Add(entry!);
            }
        }
        var done = await connection.ReadReplyAsync(cancellationToken);
        if (done.Code is not (226 or 250))
            throw new FtpReplyException(connection.SupportsMlsd ? "MLSD" : "LIST", done);
        return entries;
    }

    /// <summary>The size of a file, or null when there is none under the path.</summary>
    private static async Task<long?> SizeOfAsync(FtpControlConnection connection, string path, CancellationToken cancellationToken)
    {
        var reply = await connection.ExecuteAsync("SIZE " + path, cancellationToken);
        if (reply.Code == 550)
            return null;
        if (reply.Code != 213 || !long.TryParse(reply.Text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
            throw new FtpReplyException("SIZE", reply);
        return size;
    }

    private static async Task CreateFoldersAsync(FtpControlConnection connection, string folder, CancellationToken cancellationToken)
    {
        var path = "";
        foreach (var segment in folder.Split('/'))
        {
            path = path.Length == 0 ? segment : path + "/" + segment;
            // 550 when it exists already (or is refused: the STOR that follows tells).
            var made = await connection.ExecuteAsync("MKD " + Absolute(connection, path), cancellationToken);
            if (made.Code is not (257 or 550 or 521))
                throw new FtpReplyException("MKD", made);
        }
    }

    // Retention deletes whole backups; without this, every deleted backup would leave its empty folders behind.
    private static async Task RemoveEmptyFoldersAsync(FtpControlConnection connection, string name, CancellationToken cancellationToken)
    {
        var folder = name;
        while (folder.LastIndexOf('/') is var slash and > 0)
        {
            folder = folder[..slash];
            // Fails (550) while the folder holds anything, including a put's temporary file: then the walk stops.
            if ((await connection.ExecuteAsync("RMD " + Absolute(connection, folder), cancellationToken)).Code != 250)
                return;
        }
    }

    private async Task TryDeleteTempAsync(string tempName)
    {
        // Runs after a failure or the caller's cancellation: a token of its own, and a fresh connection if needed.
        try
        {
            using var timeout = new CancellationTokenSource(CleanupTimeout);
            var connection = await _pool.RentAsync(timeout.Token);
            try
            {
                await connection.ExecuteAsync("DELE " + Absolute(connection, tempName), timeout.Token);
            }
            finally
            {
                await _pool.ReturnAsync(connection);
            }
        }
        catch (Exception ex) when (ex is StoreException or IOException or SocketException or TimeoutException or AuthenticationException or OperationCanceledException)
        {
            // A leftover temporary file is never listed nor read; the next put of the name uses another one.
        }
    }

    private async Task<FtpControlConnection> RentAsync(string operation, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _pool.RentAsync(cancellationToken);
        }
        catch (Exception ex) when (IsFtpFailure(ex, cancellationToken))
        {
            throw Map(operation, name, ex);
        }
    }

    private static string Absolute(FtpControlConnection connection, string name) =>
        name.Length == 0 ? connection.Root : connection.Root == "/" ? "/" + name : connection.Root + "/" + name;

    private static void ValidateName(string name)
    {
        ObjectNameRules.Validate(name);
        if (IsTempFileName(name[(name.LastIndexOf('/') + 1)..]))
            throw new ArgumentException($"Object name '{name}' is reserved for temporary files of an FTP destination.", nameof(name));
    }

    private static bool IsFtpFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        StoreException => false,
        FtpReplyException or IOException or SocketException or TimeoutException or AuthenticationException or FormatException
            or Network.NetworkRefusedException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <remarks>
    /// Messages name the command and the reply's code, never the reply's text (nor a message quoting it): that is
    /// the server's, and must not reach an API caller. The exception, logged server-side, keeps it.
    /// </remarks>
    private StoreException Map(string operation, string name, Exception ex)
    {
        if (StoreFailureText.Refusal($"FTP {operation} '{name}' in {Location} refused", ex) is { } refused)
            return refused;
        var prefix = $"FTP {operation} '{name}' in {Location} failed";
        return ex switch
        {
            FtpReplyException { Reply.Code: 530 } r => new StoreException($"{prefix}: {Said(r)}", StoreFailureKind.Authentication, ex),
            FtpReplyException { Reply.Code: 452 or 552 } r => new StoreException($"{prefix}: {Said(r)}", StoreFailureKind.Full, ex),
            FtpReplyException { Reply.Code: 550 or 553 } r => new StoreException($"{prefix}: {Said(r)}", StoreFailureKind.Permission, ex),
            FtpReplyException { Reply.IsTransientFailure: true } r => new StoreTransientException($"{prefix}: {Said(r)}", ex),
            FtpReplyException r => new StoreException($"{prefix}: {Said(r)}", StoreFailureKind.Other, ex),
            FormatException => new StoreException($"{prefix}: the server's reply could not be understood.", StoreFailureKind.Other, ex),
            AuthenticationException => new StoreException($"{prefix}: the TLS negotiation failed.", StoreFailureKind.Other, ex),
            _ => new StoreTransientException($"{prefix}: {StoreFailureText.Describe(ex)}.", ex),
        };
    }

    private static string Said(FtpReplyException reply) => $"the server answered {reply.Command} with {reply.Reply.Code}.";

    private static bool IsTempFileName(string fileName) => TemporaryNames.IsTemporary(fileName);
}
