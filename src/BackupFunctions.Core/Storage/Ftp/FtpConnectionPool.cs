using System.Collections.Concurrent;

namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>
/// Logged-in control connections for parallel operations: FTP runs one command at a time per connection, so each
/// operation borrows its own. At most <see cref="FtpStoreSettings.MaxConnections"/> exist; a broken one is dropped
/// and the next borrower gets a fresh one (which is how a dropped control connection reconnects).
/// </summary>
internal sealed class FtpConnectionPool(FtpStoreSettings settings, string location, Network.NetworkPolicy network) : IAsyncDisposable
{
    // Servers drop idle sessions (vsftpd after 300 s): one that waited longer than this is checked with a NOOP.
    private static readonly TimeSpan IdleCheckAfter = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim _slots = new(settings.MaxConnections, settings.MaxConnections);
    private readonly ConcurrentStack<FtpControlConnection> _idle = new();

    /// <summary>An idle connection that still answers, or a new one. Give it back with <see cref="ReturnAsync"/>.</summary>
    public async Task<FtpControlConnection> RentAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            while (_idle.TryPop(out var connection))
            {
                if (Environment.TickCount64 - connection.LastUsedTicks < IdleCheckAfter.TotalMilliseconds
                    || await connection.IsAliveAsync(cancellationToken))
                {
                    return connection;
                }
                await connection.DisposeAsync();
            }
            return await FtpControlConnection.ConnectAsync(settings, location, network, cancellationToken);
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Takes a connection back: kept for the next operation when healthy, closed when broken.</summary>
    public async ValueTask ReturnAsync(FtpControlConnection connection)
    {
        try
        {
            if (connection.IsBroken)
                await connection.DisposeAsync();
            else
                _idle.Push(connection);
        }
        finally
        {
            _slots.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (_idle.TryPop(out var connection))
        {
            // QUIT is a courtesy; the server cleans up a dropped session as well.
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await connection.ExecuteAsync("QUIT", quick.Token);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or TimeoutException or OperationCanceledException)
            {
            }
            await connection.DisposeAsync();
        }
    }
}
