using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Storage.S3;

/// <summary>
/// A download body that fails with <see cref="TimeoutException"/> when no bytes arrive for a while: an HTTP client's
/// timeout ends at the response headers, and a server that dies mid-body would otherwise leave the reader waiting
/// forever. Disposing it disposes <c>owner</c> (the response) too.
/// </summary>
internal sealed class IdleTimeoutReadStream(Stream inner, IDisposable owner, TimeSpan idleTimeout) : ForwardOnlyReadStream
{
    public override int Read(Span<byte> buffer)
    {
        // Synchronous readers get the socket's own behaviour; the engine reads asynchronously.
        return inner.Read(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        idle.CancelAfter(idleTimeout);
        try
        {
            return await inner.ReadAsync(buffer, idle.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"No data arrived for {idleTimeout.TotalSeconds:0} s while reading an object.", ex);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            owner.Dispose();
        }
        base.Dispose(disposing);
    }
}
