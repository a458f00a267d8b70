using System.Buffers;
using System.IO.Pipelines;

namespace BackupFunctions.Core.Streams;

/// <summary>
/// The write-side twin of <see cref="ReadAheadStream"/>: writes go into a bounded pipe and a task of its own copies
/// them into the inner stream, so the work behind the inner stream (compression, encryption, hashing, upload) runs on
/// one core while the writer (walking, reading and hashing files, tar) runs on another. A writer that gets more than
/// <see cref="PauseWriterThreshold"/> bytes ahead waits, so memory stays within the pipe's bound.
/// </summary>
/// <remarks>
/// <para><see cref="CompleteAsync"/> ends the data and returns once the inner stream has received all of it, or throws
/// what writing into the inner stream threw. <see cref="AbortAsync"/> ends the data with the writer's failure and
/// returns once the copy has stopped. Disposing without either aborts.</para>
/// <para>When writing into the inner stream fails (or the token is cancelled), the copy stops and the next write
/// throws that exception, so a writer never blocks on a copy that has ended. The inner stream is neither flushed nor
/// disposed: the owner finishes it after <see cref="CompleteAsync"/>.</para>
/// </remarks>
public sealed class WriteBehindStream : ForwardOnlyWriteStream
{
    /// <summary>Bytes in flight before the writer waits: this bounds the stream's memory.</summary>
    public const long PauseWriterThreshold = 4 * 1024 * 1024;

    private const long ResumeWriterThreshold = 2 * 1024 * 1024;

    // Large segments, so the inner stream (a compressor) gets large writes rather than the pipe's default 4 KiB.
    private const int SegmentSize = 128 * 1024;

    private readonly Pipe _pipe = new(new PipeOptions(
        pauseWriterThreshold: PauseWriterThreshold,
        resumeWriterThreshold: ResumeWriterThreshold,
        minimumSegmentSize: SegmentSize,
        useSynchronizationContext: false));

    private readonly Task _copy;
    private bool _ended;

    public WriteBehindStream(Stream inner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _copy = CopyAsync(inner, _pipe.Reader, cancellationToken);
    }

    public override bool CanWrite => !_ended;

    private static async Task CopyAsync(Stream inner, PipeReader reader, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await reader.CopyToAsync(inner, cancellationToken);
        }
        catch (Exception e)
        {
            // The writer's next write throws this exception instead of waiting for room that never comes.
            await reader.CompleteAsync(e);
            throw;
        }
        await reader.CompleteAsync();
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ThrowIfEnded();
        _pipe.Writer.Write(buffer);
        // Only a synchronous writer gets here; it blocks while the copy catches up, which is the point.
        Check(_pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult());
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ThrowIfEnded();
        Check(await _pipe.Writer.WriteAsync(buffer, cancellationToken));
    }

    /// <summary>Nothing to do: written data is on its way to the inner stream already.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Ends the data and waits until the inner stream has all of it; throws what the copy threw.</summary>
    public async Task CompleteAsync()
    {
        ThrowIfEnded();
        _ended = true;
        await _pipe.Writer.CompleteAsync();
        await _copy;
    }

    /// <summary>
    /// Ends the data with the writer's failure and waits until the copy has stopped (without throwing: the writer
    /// reports its own failure). After this, nothing touches the inner stream any more.
    /// </summary>
    public async Task AbortAsync(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        if (_ended)
            return;
        _ended = true;
        await _pipe.Writer.CompleteAsync(reason);
        try
        {
            await _copy;
        }
        catch (Exception)
        {
            // The copy stopped with the reason, or had already failed (which the writer's last write then threw).
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_ended)
            AbortAsync(new ObjectDisposedException(nameof(WriteBehindStream), "Disposed before the data was complete.")).GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_ended)
            await AbortAsync(new ObjectDisposedException(nameof(WriteBehindStream), "Disposed before the data was complete."));
        // Stream.DisposeAsync calls Dispose(), which finds the work done.
        await base.DisposeAsync();
    }

    private void ThrowIfEnded()
    {
        if (_ended)
            throw new InvalidOperationException("The data has been completed or aborted; nothing can be written after it.");
    }

    private static void Check(FlushResult result)
    {
        if (result.IsCanceled)
            throw new OperationCanceledException("Writing was cancelled.");
        // A copy that failed completes the pipe with its exception, which the flush throws; this is the copy ending
        // without one, which only a bug could cause.
        if (result.IsCompleted)
            throw new IOException("The copy into the inner stream stopped before the data was complete.");
    }
}
