using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Network;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace BackupFunctions.Core.Storage.Sftp;

/// <summary>
/// Authenticated SFTP connections of one store. A caller rents a connection for one operation (or for the life of a
/// read stream) and has it to itself; returned healthy connections are kept for the next caller.
/// </summary>
/// <remarks>
/// Exclusive use rather than one shared client: SSH.NET does not promise that concurrent operations on one
/// <see cref="SftpClient"/> are safe, and a read stream kept open by a restore must not block every other call.
/// Parallel activities therefore open parallel connections; at most <see cref="SftpStoreSettings.MaxIdleConnections"/>
/// stay open while idle.
/// </remarks>
internal sealed class SftpConnectionPool : IDisposable
{
    // Sends a keep-alive through idle connections, so one broken by a NAT or a restarted server is noticed
    // (IsConnected turns false) before it is rented out again.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);

    private readonly SftpStoreSettings _settings;
    private readonly NetworkPolicy _network;
    private readonly byte[] _pinnedHostKey;
    private readonly Stack<SftpClient> _idle = new();
    private readonly Lock _lock = new();
    private bool _disposed;
    private string? _baseFolder;

    public SftpConnectionPool(SftpStoreSettings settings, NetworkPolicy network)
    {
        _settings = settings;
        _network = network;
        _pinnedHostKey = HostKeyFingerprint.Parse(settings.HostKeyFingerprint, nameof(settings.HostKeyFingerprint));
    }

    /// <summary>The absolute base folder; known once a connection was made (relative paths need the login folder).</summary>
    public string BaseFolder => _baseFolder ?? throw new InvalidOperationException("No connection has been made yet.");

    /// <summary>A connected, authenticated client for the caller alone; hand it back with <see cref="Return"/>.</summary>
    /// <exception cref="HostKeyMismatchException">The server presented another host key than the pinned one.</exception>
    public async Task<SftpClient> RentAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            SftpClient? client;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _idle.TryPop(out client);
            }
            if (client is null)
                return await ConnectAsync(cancellationToken);
            if (client.IsConnected)
                return client;
            client.Dispose();
        }
    }

    /// <summary>
    /// Takes a client back. <paramref name="reusable"/> is false after anything but a clean answer from the server
    /// (a broken connection, a timeout, a cancelled request whose answer may still arrive): such a client is closed.
    /// </summary>
    public void Return(SftpClient client, bool reusable)
    {
        if (reusable && client.IsConnected)
        {
            lock (_lock)
            {
                if (!_disposed && _idle.Count < _settings.MaxIdleConnections)
                {
                    _idle.Push(client);
                    return;
                }
            }
        }
        Close(client);
    }

    public void Dispose()
    {
        SftpClient[] idle;
        lock (_lock)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }
        foreach (var client in idle)
            Close(client);
    }

    /// <summary>
    /// A connection to the first allowed address of the host that answers. The name is resolved once, by the
    /// policy, and SSH.NET is given the judged address: it never resolves the name itself, so a name that resolves
    /// elsewhere a moment later (DNS rebinding) cannot slip past the check.
    /// </summary>
    private async Task<SftpClient> ConnectAsync(CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(_settings.ConnectTimeout);
            try
            {
                addresses = await _network.ResolveAsync(_settings.Host, timeout.Token);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Resolving {_settings.Host} took longer than {_settings.ConnectTimeout.TotalSeconds:0} s.", ex);
            }
        }
        for (var i = 0; ; i++)
        {
            try
            {
                return await ConnectAsync(addresses[i], cancellationToken);
            }
            catch (Exception ex) when (i < addresses.Length - 1 && ex is SocketException or SshConnectionException or SshOperationTimeoutException)
            {
                // The next address of the host may answer.
            }
        }
    }

    private async Task<SftpClient> ConnectAsync(IPAddress address, CancellationToken cancellationToken)
    {
        var methods = new List<AuthenticationMethod>();
        PrivateKeyFile? key = null;
        try
        {
            if (_settings.PrivateKey is { } privateKey)
            {
                key = ReadKey(privateKey, _settings.PrivateKeyPassphrase);
                methods.Add(new PrivateKeyAuthenticationMethod(_settings.UserName, key));
            }
            if (_settings.Password is { } password)
                methods.Add(new PasswordAuthenticationMethod(_settings.UserName, password));

            var info = new ConnectionInfo(address.ToString(), _settings.Port, _settings.UserName, [.. methods])
            {
                Timeout = _settings.ConnectTimeout,
            };
            var client = new SftpClient(info)
            {
                OperationTimeout = _settings.OperationTimeout,
                KeepAliveInterval = KeepAliveInterval,
            };
            string? refusedKey = null;
            client.HostKeyReceived += (_, e) =>
            {
                // Decided during the key exchange, before any credential is sent to the server.
                var presented = HostKeyFingerprint.Of(e.HostKey);
                e.CanTrust = CryptographicOperations.FixedTimeEquals(presented, _pinnedHostKey);
                if (!e.CanTrust)
                    refusedKey = HostKeyFingerprint.Format(presented);
            };
            try
            {
                await client.ConnectAsync(cancellationToken);
                _baseFolder ??= Resolve(client.WorkingDirectory, _settings.BasePath);
                return client;
            }
            catch (Exception ex)
            {
                client.Dispose();
                if (refusedKey is not null)
                    throw new HostKeyMismatchException(HostKeyFingerprint.Format(_pinnedHostKey), refusedKey, ex);
                throw;
            }
        }
        finally
        {
            // Only the authentication uses the key; a reconnect reads it again.
            key?.Dispose();
            foreach (var method in methods)
                method.Dispose();
        }
    }

    private static PrivateKeyFile ReadKey(string privateKey, string? passphrase)
    {
        try
        {
            using var text = new MemoryStream(Encoding.UTF8.GetBytes(privateKey));
            return new PrivateKeyFile(text, passphrase);
        }
        catch (Exception ex) when (ex is SshException or ArgumentException or FormatException or CryptographicException or InvalidOperationException or NotSupportedException)
        {
            // The library's message never quotes the key; ours names what to check.
            throw new SshAuthenticationException(
                $"The private key could not be read (not an OpenSSH or PEM private key, or a wrong or missing passphrase): {ex.Message}", ex);
        }
    }

    private static string Resolve(string loginFolder, string basePath)
    {
        var path = basePath.TrimEnd('/');
        if (basePath.StartsWith('/'))
            return path.Length == 0 ? "/" : path;
        var login = loginFolder.TrimEnd('/');
        return path.Length == 0 ? (login.Length == 0 ? "/" : login) : $"{login}/{path}";
    }

    private static void Close(SftpClient client)
    {
        try
        {
            client.Dispose();
        }
        catch (Exception ex) when (ex is SshException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            // The connection is gone either way.
        }
    }
}
