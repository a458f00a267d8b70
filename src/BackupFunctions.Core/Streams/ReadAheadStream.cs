using System.IO.Pipelines;

namespace BackupFunctions.Core.Streams;

/// <summary>
/// Reads a source on a task of its own into a bounded pipe, so the work behind the source (download, decryption,
/// decompression) runs on one core while the reader (tar extraction, hashing, writing files) runs on another.
/// A failure of the source reaches the reader at the point it happened; memory stays within the pipe's bound.
/// </summary>
public sealed class ReadAheadStream : ForwardOnlyReadStream
{
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 4 * 1024 * 1024, resumeWriterThreshold: 2 * 1024 * 1024, useSynchronizationContext: false));
    private readonly CancellationTokenSource _stop;
    private readonly Stream _reader;
    private readonly Task _pump;
    private bool _disposed;

    public ReadAheadStream(Stream source, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _reader = _pipe.Reader.AsStream();
        _pump = PumpAsync(source, _pipe.Writer, _stop.Token);
    }

    private static async Task PumpAsync(Stream source, PipeWriter writer, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await source.CopyToAsync(writer, cancellationToken);
            await writer.CompleteAsync();
        }
        catch (Exception e)
        {
            await writer.CompleteAsync(e);
        }
    }

    public override int Read(Span<byte> buffer) => _reader.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => _reader.ReadAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _stop.Cancel();
            _reader.Dispose();
            _pump.GetAwaiter().GetResult();
            _stop.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            await _stop.CancelAsync();
            await _reader.DisposeAsync();
            await _pump;
            _stop.Dispose();
        }
        // Stream.DisposeAsync calls Dispose(), which finds the work done.
        await base.DisposeAsync();
    }
}
