using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>
/// A tiny FTP server on 127.0.0.1 that plays a hostile one (a test peer, not a stand-in for vsftpd): its greeting
/// and its refusal of the password carry <see cref="Marker"/>, and its PASV reply names another address
/// (<see cref="PasvAddress"/>) with the port of its own data listener on 127.0.0.1. Enough of FTP for a login and a
/// listing (EPSV refused, so PASV is used).
/// </summary>
public sealed class HostileFtpServer : IAsyncDisposable
{
    private readonly TcpListener _control = new(IPAddress.Loopback, 0);
    private readonly TcpListener _data = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _dataConnections;
    private int _controlConnections;

    public HostileFtpServer(string marker, bool refuseLogin, string pasvAddress = "169.254.169.254")
    {
        Marker = marker;
        RefuseLogin = refuseLogin;
        PasvAddress = pasvAddress;
        _control.Start();
        _data.Start();
        _loop = AcceptAsync();
    }

    public string Marker { get; }

    /// <summary>Answer PASS with 530 and the marker (else 230).</summary>
    public bool RefuseLogin { get; }

    /// <summary>The address the PASV reply names (never listened on, never to be connected to).</summary>
    public string PasvAddress { get; }

    public int Port => ((IPEndPoint)_control.LocalEndpoint).Port;

    /// <summary>Data connections that reached this server's data port on 127.0.0.1.</summary>
    public int DataConnections => Volatile.Read(ref _dataConnections);

    /// <summary>Control connections made to this server.</summary>
    public int ControlConnections => Volatile.Read(ref _controlConnections);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _control.Stop();
        _data.Stop();
        try { await _loop; } catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { }
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _control.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref _controlConnections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync($"220 {Marker} welcome");
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var verb = line.Split(' ')[0].ToUpperInvariant();
                    switch (verb)
                    {
                        case "USER": await writer.WriteLineAsync("331 password please"); break;
                        case "PASS": await writer.WriteLineAsync(RefuseLogin ? $"530 {Marker} internal detail" : "230 logged in"); break;
                        case "TYPE" or "OPTS" or "NOOP": await writer.WriteLineAsync("200 ok"); break;
                        case "FEAT": await writer.WriteLineAsync("211 no features"); break;
                        case "CWD": await writer.WriteLineAsync("250 ok"); break;
                        case "PWD": await writer.WriteLineAsync("257 \"/\" is the folder"); break;
                        case "EPSV": await writer.WriteLineAsync("502 not here"); break;
                        case "PASV":
                            var port = ((IPEndPoint)_data.LocalEndpoint).Port;
                            var address = PasvAddress.Replace('.', ',');
                            await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"227 Entering Passive Mode ({address},{port / 256},{port % 256})"));
                            break;
                        case "LIST" or "MLSD":
                            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                            {
                                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                                using var data = await _data.AcceptTcpClientAsync(timeout.Token);
                                Interlocked.Increment(ref _dataConnections);
                                await writer.WriteLineAsync("150 here it comes");
                            }
                            await writer.WriteLineAsync("226 done");
                            break;
                        case "QUIT": await writer.WriteLineAsync("221 bye"); return;
                        default: await writer.WriteLineAsync($"502 {Marker}"); break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the server stops.
            }
        }
    }
}
