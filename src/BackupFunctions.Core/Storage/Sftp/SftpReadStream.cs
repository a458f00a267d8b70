using BackupFunctions.Core.Streams;
using Renci.SshNet;
using Renci.SshNet.Sftp;

namespace BackupFunctions.Core.Storage.Sftp;

/// <summary>
/// An open remote file that holds its connection until disposed, then hands it back to the pool. Failures of the
/// connection while reading surface as <see cref="StoreException"/>s (transient where they are), like the store's own.
/// </summary>
internal sealed class SftpReadStream(
    SftpConnectionPool pool, SftpClient client, SftpFileStream file, Func<Exception, CancellationToken, Exception?> map)
    : ForwardOnlyReadStream
{
    private bool _healthy = true;
    private bool _disposed;

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return file.Read(buffer);
        }
        catch (Exception ex) when (map(ex, CancellationToken.None) is { } mapped)
        {
            _healthy = false;
            throw mapped;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        try
        {
            return await file.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex)
        {
            // Also after the caller's cancellation: answers to read-ahead requests may still be on their way.
            _healthy = false;
            if (map(ex, cancellationToken) is { } mapped)
                throw mapped;
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try
            {
                file.Dispose();
            }
            catch (Exception ex) when (map(ex, CancellationToken.None) is not null)
            {
                _healthy = false;
            }
            pool.Return(client, _healthy);
        }
        base.Dispose(disposing);
    }
}
