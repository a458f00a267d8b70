using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Compression;

/// <summary>
/// "No compression": forwards reads and writes unchanged, so callers treat every algorithm alike, and disposes the
/// inner stream only when not asked to leave it open.
/// </summary>
internal sealed class PassThroughStream(Stream inner, bool leaveOpen) : ForwardOnlyStream
{
    private bool _disposed;

    public override bool CanRead => !_disposed && inner.CanRead;
    public override bool CanWrite => !_disposed && inner.CanWrite;

    public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => Inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);
    public override void Write(ReadOnlySpan<byte> buffer) => Inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => Inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        => Inner.WriteAsync(buffer, cancellationToken);

    public override void Flush() => Inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    private Stream Inner
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return inner;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed && !leaveOpen)
            inner.Dispose();
        _disposed = true;
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed && !leaveOpen)
            await inner.DisposeAsync();
        _disposed = true;
        await base.DisposeAsync();
    }
}
