using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using BackupFunctions.Core.Network;

namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>
/// One logged-in FTP control connection, cwd-independent (every path it is given is absolute). Commands run one at a
/// time; the pool hands a connection to one caller at a time.
/// </summary>
/// <remarks>
/// Failures: a reply the caller did not expect is a <see cref="FtpReplyException"/> (the connection stays usable);
/// anything that leaves the conversation in an unknown state (I/O error, timeout, the caller's cancellation) marks
/// the connection <see cref="IsBroken"/>, and the pool throws it away.
/// </remarks>
internal sealed class FtpControlConnection : IAsyncDisposable
{
    private readonly FtpStoreSettings _settings;
    private readonly string _location;
    private readonly byte[]? _pinnedCertificate;
    private readonly NetworkPolicy _network;
    private readonly Socket _socket;
    private readonly FtpLineReader _reader;
    private Stream _stream;
    private bool _epsvRefused;

    // .NET keeps one TLS session per target name (process-wide) and offers it for resumption; FTPS servers accept on
    // a data connection only the session of ITS control connection (vsftpd: one process per session). A name of its
    // own per control connection makes .NET offer exactly that session. The name is also sent as SNI, so the host
    // name check is done in ValidateCertificate against the configured host instead.
    private readonly string _tlsSessionName = $"s{RandomNumberGenerator.GetHexString(16, lowercase: true)}.ftps.invalid";
    private bool _certificateRefused;
    private SslPolicyErrors _certificateErrors;

    private FtpControlConnection(FtpStoreSettings settings, string location, NetworkPolicy network, Socket socket, byte[]? pinnedCertificate)
    {
        _settings = settings;
        _location = location;
        _network = network;
        _socket = socket;
        _pinnedCertificate = pinnedCertificate;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _reader = new FtpLineReader(_stream);
    }

    /// <summary>The base folder as an absolute server path, without a trailing '/' (except for "/" itself).</summary>
    public string Root { get; private set; } = "/";

    /// <summary>The server lists folders with MLSD (RFC 3659), which has exact sizes and times; otherwise LIST is parsed.</summary>
    public bool SupportsMlsd { get; private set; }

    /// <summary>The conversation is out of step or the connection is gone: do not use it again.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>When the last command finished (for the pool's liveness check).</summary>
    public long LastUsedTicks { get; private set; } = Environment.TickCount64;

    /// <summary>SHA-256 (hex) of the certificate the server presented last, for the refusal message.</summary>
    public string? PresentedCertificateSha256 { get; private set; }

    /// <summary>Connects, logs in, and changes to the base folder.</summary>
    /// <exception cref="StoreException">Login refused, certificate refused, TLS not offered, or the base folder is missing.</exception>
    /// <exception cref="NetworkRefusedException">The policy allows none of the host's addresses; nothing was sent.</exception>
    public static async Task<FtpControlConnection> ConnectAsync(FtpStoreSettings settings, string location, NetworkPolicy network,
        CancellationToken cancellationToken)
    {
        var pinned = ParseFingerprint(settings.CertificateSha256);
        var socket = await ConnectTcpAsync(network, settings.Host, settings.Port, settings, cancellationToken);
        var connection = new FtpControlConnection(settings, location, network, socket, pinned);
        try
        {
            await connection.LoginAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a command and reads its reply (whatever it is).</summary>
    public Task<FtpReply> ExecuteAsync(string command, CancellationToken cancellationToken) =>
        GuardAsync(async token =>
        {
            await WriteLineAsync(command, token);
            var reply = await _reader.ReadReplyAsync(token);
            // 421: the server is closing the connection (shutting down, idle too long, too many connections).
            if (reply.Code == 421)
                IsBroken = true;
            return reply;
        }, cancellationToken);

    /// <summary>Sends a command and returns its reply when its code is one of <paramref name="expected"/>.</summary>
    /// <exception cref="FtpReplyException">Any other reply.</exception>
    public async Task<FtpReply> ExpectAsync(string command, CancellationToken cancellationToken, params int[] expected)
    {
        var reply = await ExecuteAsync(command, cancellationToken);
        return expected.Contains(reply.Code) ? reply : throw new FtpReplyException(Verb(command), reply);
    }

    /// <summary>Reads the reply that ends a transfer (226 after the data connection closed).</summary>
    public Task<FtpReply> ReadReplyAsync(CancellationToken cancellationToken) =>
        GuardAsync(token => _reader.ReadReplyAsync(token).AsTask(), cancellationToken);

    /// <summary>
    /// Opens a passive data connection and starts <paramref name="command"/> (RETR, STOR, LIST, MLSD) on it; the
    /// stream is TLS-protected when the control connection is. The caller reads or writes it, disposes it, then
    /// reads the final reply with <see cref="ReadReplyAsync"/>.
    /// </summary>
    /// <exception cref="FtpReplyException">The server refused the command (550 for a missing file, …).</exception>
    public async Task<Stream> OpenDataAsync(string command, CancellationToken cancellationToken)
    {
        var endPoint = await PassiveEndPointAsync(cancellationToken);
        var data = await GuardAsync(token => ConnectTcpAsync(_network, endPoint.Address.ToString(), endPoint.Port, _settings, token), cancellationToken);
        try
        {
            var reply = await ExecuteAsync(command, cancellationToken);
            if (!reply.IsPreliminary)
                throw new FtpReplyException(Verb(command), reply);
            var stream = new NetworkStream(data, ownsSocket: true);
            if (_stream is not SslStream)
                return stream;
            // vsftpd (and RFC 4217) start TLS on the data connection after the 150 reply; the session of the control
            // connection is resumed, which servers demand (vsftpd: require_ssl_reuse) so nobody can hijack the port.
            return await GuardAsync(token => AuthenticateTlsAsync(stream, token), cancellationToken);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>Whether the connection still answers (NOOP), checked by the pool for connections idle a while.</summary>
    public async Task<bool> IsAliveAsync(CancellationToken cancellationToken)
    {
        if (IsBroken)
            return false;
        try
        {
            return (await ExecuteAsync("NOOP", cancellationToken)).Code == 200;
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Marks the connection unusable (a transfer was abandoned and its state is unknown).</summary>
    public void MarkBroken() => IsBroken = true;

    public async ValueTask DisposeAsync()
    {
        IsBroken = true;
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    /// <summary>Runs one step of the conversation with the read/write timeout; any failure breaks the connection.</summary>
    public async Task<T> GuardAsync<T>(Func<CancellationToken, Task<T>> step, CancellationToken cancellationToken)
    {
        if (IsBroken)
            throw new IOException("The FTP control connection was closed after an earlier failure.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.ReadWriteTimeout);
        try
        {
            var result = await step(timeout.Token);
            LastUsedTicks = Environment.TickCount64;
            return result;
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            IsBroken = true;
            throw new TimeoutException($"The FTP server did not answer within {_settings.ReadWriteTimeout.TotalSeconds:0} s.", ex);
        }
        catch
        {
            IsBroken = true;
            throw;
        }
    }

    private async Task LoginAsync(CancellationToken cancellationToken)
    {
        var greeting = await ReadReplyAsync(cancellationToken);
        if (greeting.Code != 220)
            throw new FtpReplyException("connect", greeting);

        if (_settings.TlsMode == FtpTlsMode.Explicit)
        {
            var auth = await ExecuteAsync("AUTH TLS", cancellationToken);
            if (auth.Code != 234)
                throw new StoreException($"FTP connect to {_location} failed: the server does not offer TLS (it answered AUTH TLS with {auth.Code}).",
                    StoreFailureKind.Permission, new FtpReplyException("AUTH", auth));
            if (_reader.HasBufferedData)
                throw new IOException("The FTP server sent data before the TLS handshake.");
            _stream = await GuardAsync(token => AuthenticateTlsAsync(_stream, token), cancellationToken);
            _reader.Stream = _stream;
        }

        var user = await ExecuteAsync("USER " + _settings.User, cancellationToken);
        if (user.Code == 331)
            user = await ExecuteAsync("PASS " + _settings.Password, cancellationToken);
        if (user.Code == 530)
            throw new StoreException($"FTP login to {_location} failed: the server refused the user or the password ({user.Code}).",
                StoreFailureKind.Authentication, new FtpReplyException("PASS", user));
        if (user.Code != 230)
            throw new FtpReplyException("PASS", user);

        if (_stream is SslStream)
        {
            await ExpectAsync("PBSZ 0", cancellationToken, 200);
            await ExpectAsync("PROT P", cancellationToken, 200);
        }
        await ExpectAsync("TYPE I", cancellationToken, 200);
        // Names are UTF-8 (RFC 2640); servers that are always UTF-8 may refuse the option, which is fine.
        await ExecuteAsync("OPTS UTF8 ON", cancellationToken);
        var features = await ExecuteAsync("FEAT", cancellationToken);
        SupportsMlsd = features.Code == 211
                       && features.Text.Split('\n').Any(line => line.Trim().StartsWith("MLST", StringComparison.OrdinalIgnoreCase));

        var cwd = await ExecuteAsync("CWD " + _settings.BasePath, cancellationToken);
        if (cwd.Code == 550)
            throw new StoreException($"FTP base folder '{_settings.BasePath}' of {_location} does not exist or cannot be entered ({cwd.Code}).",
                StoreFailureKind.ContainerNotFound, new FtpReplyException("CWD", cwd));
        if (cwd.Code != 250)
            throw new FtpReplyException("CWD", cwd);
        Root = FtpParsing.ParsePwd((await ExpectAsync("PWD", cancellationToken, 257)).Text).TrimEnd('/');
        if (Root.Length == 0)
            Root = "/";
    }

    private async Task<IPEndPoint> PassiveEndPointAsync(CancellationToken cancellationToken)
    {
        // The data connection always goes to the control connection's address (the address the policy judged when
        // it was made, and judges again at the data connect): a PASV reply naming another host (a NAT's private
        // address, or a hostile server aiming us at something only we can reach) is not followed, as curl does.
        var address = ((IPEndPoint)_socket.RemoteEndPoint!).Address;
        if (!_epsvRefused)
        {
            var epsv = await ExecuteAsync("EPSV", cancellationToken);
            if (epsv.Code == 229)
                return new IPEndPoint(address, FtpParsing.ParseEpsvPort(epsv.Text));
            if (epsv.Code is not (500 or 501 or 502))
                throw new FtpReplyException("EPSV", epsv);
            _epsvRefused = true;
        }
        var pasv = await ExpectAsync("PASV", cancellationToken, 227);
        return new IPEndPoint(address, FtpParsing.ParsePasvEndPoint(pasv.Text).Port);
    }

    private async Task<SslStream> AuthenticateTlsAsync(Stream inner, CancellationToken cancellationToken)
    {
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        _certificateRefused = false;
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _tlsSessionName,
                // TLS 1.2: its session (by id) can be resumed by every data connection. A TLS 1.3 ticket is single-use
                // for the client, and the tickets a data connection gets replace the control connection's session.
                EnabledSslProtocols = SslProtocols.Tls12,
                RemoteCertificateValidationCallback = ValidateCertificate,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            }, cancellationToken);
            return tls;
        }
        catch (AuthenticationException ex) when (_certificateRefused)
        {
            await tls.DisposeAsync();
            IsBroken = true;
            throw new StoreException(DescribeRefusedCertificate(), StoreFailureKind.Permission, ex);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }

    private string DescribeRefusedCertificate() => _pinnedCertificate is null
        ? $"FTPS connection to {_location} refused: the server certificate (SHA-256 {PresentedCertificateSha256}) does not pass validation ({_certificateErrors}); pin its SHA-256 if it is the right one."
        : $"FTPS connection to {_location} refused: the server presented the certificate with SHA-256 {PresentedCertificateSha256}, "
          + $"but {Convert.ToHexString(_pinnedCertificate)} is pinned.";

    private bool ValidateCertificate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
            return false;
        var hash = certificate.GetCertHash(HashAlgorithmName.SHA256);
        PresentedCertificateSha256 = Convert.ToHexString(hash);
        // The name check is against the configured host: TargetHost is the session name (see _tlsSessionName).
        if (!new X509Certificate2(certificate).MatchesHostname(_settings.Host))
            errors |= SslPolicyErrors.RemoteCertificateNameMismatch;
        else
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
        _certificateErrors = errors;
        // A pinned certificate replaces the chain and name checks (self-signed certificates are common on FTP servers).
        var accepted = _pinnedCertificate is null ? errors == SslPolicyErrors.None : CryptographicOperations.FixedTimeEquals(hash, _pinnedCertificate);
        _certificateRefused = !accepted;
        return accepted;
    }

    private async Task WriteLineAsync(string command, CancellationToken cancellationToken)
    {
        // Names cannot carry CR or LF (ObjectNameRules refuses control characters): no command can be smuggled in.
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), cancellationToken);
        await _stream.FlushAsync(cancellationToken);
    }

    // Through the policy: the name is resolved and every address judged before anything is sent.
    private static async Task<Socket> ConnectTcpAsync(NetworkPolicy network, string host, int port, FtpStoreSettings settings, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        try
        {
            return await network.ConnectAsync(host, port, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Connecting to {host}:{port} took longer than {settings.ConnectTimeout.TotalSeconds:0} s.", ex);
        }
    }

    /// <summary>The pinned SHA-256 as bytes; null when none is pinned.</summary>
    /// <exception cref="ArgumentException">Not 64 hex digits (colons and spaces aside).</exception>
    internal static byte[]? ParseFingerprint(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        try
        {
            var bytes = Convert.FromHexString(hex);
            if (bytes.Length == 32)
                return bytes;
        }
        catch (FormatException)
        {
        }
        throw new ArgumentException("The pinned certificate fingerprint must be a SHA-256: 64 hex digits (colons allowed).", nameof(text));
    }

    private static string Verb(string command)
    {
        var space = command.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? command : command[..space];
    }
}
