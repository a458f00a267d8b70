using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Storage.Wrappers;

/// <summary>A read stream that gives its throttling slot back exactly once, when it is disposed.</summary>
internal sealed class SlotReleasingStream(Stream inner, SemaphoreSlim slots) : ForwardOnlyReadStream
{
    private int _released;

    public override int Read(Span<byte> buffer) => inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            Release();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        Release();
        await base.DisposeAsync();
    }

    private void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            slots.Release();
    }
}
