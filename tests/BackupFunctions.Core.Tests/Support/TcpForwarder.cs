using System.Net;
using System.Net.Sockets;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// A loopback port that forwards every connection to a server, and can cut all of them at once or refuse new ones
/// (reset them) for a while: the network (or the server) failing under a client, without touching the shared server.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly MemoryStream _fromClients = new();
    private readonly Lock _lock = new();
    private readonly TcpListener _listener;
    private readonly Task _acceptLoop;
    private int _accepted;
    private bool _paused;

    public TcpForwarder(string targetHost, int targetPort)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync(_listener);
    }

    public int Port { get; }

    /// <summary>When set, each direction of each connection forwards at most about this many bytes per second: a slow link.</summary>
    public long? BytesPerSecond { get; set; }

    /// <summary>How many connections came in so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    /// <summary>What clients sent to the server so far (the first MiB, as Latin-1 text): what the server was told.</summary>
    public string ClientText
    {
        get
        {
            lock (_lock)
                return System.Text.Encoding.Latin1.GetString(_fromClients.GetBuffer(), 0, (int)_fromClients.Length);
        }
    }

    /// <summary>Resets every forwarded connection (both sides).</summary>
    public void CutAll()
    {
        lock (_lock)
        {
            foreach (var socket in _sockets)
            {
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
            _sockets.Clear();
        }
    }

    /// <summary>
    /// Like a stopped server: cuts every connection and resets new ones until <see cref="Resume"/>. The listener stays
    /// open: a port given back to the kernel can be taken as the local port of any outgoing connection meanwhile, and
    /// then could not be listened on again ("address already in use").
    /// </summary>
    public Task PauseAsync()
    {
        Volatile.Write(ref _paused, true);
        CutAll();
        return Task.CompletedTask;
    }

    /// <summary>Forwards new connections again, on the same port.</summary>
    public void Resume() => Volatile.Write(ref _paused, false);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        CutAll();
        try { await _acceptLoop; } catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { }
        _stop.Dispose();
        lock (_lock)
            _fromClients.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await listener.AcceptSocketAsync(_stop.Token);
            Interlocked.Increment(ref _accepted);
            if (Volatile.Read(ref _paused))
            {
                client.LingerState = new LingerOption(true, 0);
                client.Close();
                continue;
            }
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(_targetHost, _targetPort, _stop.Token);
            lock (_lock)
            {
                _sockets.Add(client);
                _sockets.Add(server);
            }
            _ = PumpAsync(client, server, fromClient: true);
            _ = PumpAsync(server, client, fromClient: false);
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool fromClient)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                if (fromClient)
                {
                    lock (_lock)
                        _fromClients.Write(buffer, 0, (int)Math.Min(read, Math.Max(0, (1 << 20) - _fromClients.Length)));
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
                if (BytesPerSecond is { } rate)
                    await Task.Delay(TimeSpan.FromSeconds((double)read / rate));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Cut: the other pump sees it too.
        }
    }
}
