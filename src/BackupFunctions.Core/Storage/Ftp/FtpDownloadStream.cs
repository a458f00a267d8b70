using System.Net.Sockets;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Storage.Ftp;

/// <summary>
/// The data connection of a RETR. At its end the transfer's final reply is read, so a transfer the server broke
/// off (426, 451) is an error rather than a silently short object. Disposing it early (a range read that has what
/// it needs) closes the data connection and reads the server's "aborted" reply, so the control connection goes back
/// to the pool in step; if that reply does not come quickly the connection is dropped instead.
/// </summary>
internal sealed class FtpDownloadStream(
    FtpConnectionPool pool, FtpControlConnection connection, Stream data, Func<Exception, Exception> mapFailure) : ForwardOnlyReadStream
{
    private static readonly TimeSpan AbortReplyTimeout = TimeSpan.FromSeconds(5);

    private bool _ended;
    private bool _disposed;

    public override int Read(Span<byte> buffer)
    {
        // Synchronous reads are rare (the engine reads asynchronously); the socket's own timeouts do not apply to
        // SslStream, so this goes through the asynchronous path with its timeout.
        var rented = new byte[buffer.Length];
        var read = ReadAsync(rented, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        rented.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_ended || buffer.IsEmpty)
            return 0;
        try
        {
            var read = await connection.GuardAsync(async token => await data.ReadAsync(buffer, token), cancellationToken);
            if (read > 0)
                return read;
            _ended = true;
            await data.DisposeAsync();
            var reply = await connection.ReadReplyAsync(cancellationToken);
            if (reply.Code is not (226 or 250))
                throw new FtpReplyException("RETR", reply);
            return 0;
        }
        catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or FtpReplyException)
        {
            connection.MarkBroken();
            throw mapFailure(ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            // No blocking wait for the server's reply here: the connection is dropped instead of returned.
            if (!_ended)
                connection.MarkBroken();
            data.Dispose();
            pool.ReturnAsync(connection).AsTask().GetAwaiter().GetResult();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await data.DisposeAsync();
            if (!_ended && !connection.IsBroken)
            {
                try
                {
                    using var quick = new CancellationTokenSource(AbortReplyTimeout);
                    var reply = await connection.ReadReplyAsync(quick.Token);
                    // 226: everything had been sent already; 426/450/451: the server noticed the closed connection.
                    if (reply.Code is not (226 or 250 or 426 or 450 or 451))
                        connection.MarkBroken();
                }
                catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or OperationCanceledException)
                {
                    connection.MarkBroken();
                }
            }
            await pool.ReturnAsync(connection);
        }
        // Dispose(true) finds the work done.
        await base.DisposeAsync();
    }
}
