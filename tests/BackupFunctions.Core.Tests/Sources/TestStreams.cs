using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>Reads from an inner stream and throws once more than a given number of bytes were asked for.</summary>
internal sealed class FailingAfterStream(Stream inner, long failAfterBytes) : ForwardOnlyReadStream
{
    private long _read;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override int Read(Span<byte> buffer)
    {
        if (_read >= failAfterBytes)
            throw new InvalidDataException("simulated integrity failure");
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, failAfterBytes - _read)]);
        _read += read;
        return read;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
}

/// <summary>A sink that cancels the token on the first write, then keeps accepting (and discarding) bytes.</summary>
internal sealed class CancelAfterFirstWriteStream(CancellationTokenSource cancellation) : ForwardOnlyWriteStream
{
    public override long Position { get => 0; set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer) => cancellation.Cancel();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellation.Cancel();
        return ValueTask.CompletedTask;
    }
}
