namespace BackupFunctions.Core.Streams;

/// <summary>
/// A write-only <see cref="ForwardOnlyStream"/>. A derived stream implements only <see cref="Write(ReadOnlySpan{byte})"/>
/// and <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>; the array overloads validate their arguments
/// and forward to those, so the two paths cannot drift apart.
/// </summary>
public abstract class ForwardOnlyWriteStream : ForwardOnlyStream
{
    public override bool CanRead => false;

    /// <remarks>Overridable for a stream that stops being writable, e.g. once disposed.</remarks>
    public override bool CanWrite => true;

    public abstract override void Write(ReadOnlySpan<byte> buffer);

    public abstract override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public sealed override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>Does nothing: a derived stream that buffers, or wraps one that does, overrides it.</summary>
    public override void Flush() { }

    public sealed override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
