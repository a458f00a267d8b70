namespace BackupFunctions.Core.Streams;

/// <summary>
/// A read-only <see cref="ForwardOnlyStream"/>. A derived stream implements only <see cref="Read(Span{byte})"/> and
/// <see cref="ReadAsync(Memory{byte}, CancellationToken)"/>; the array overloads validate their arguments and forward
/// to those, so the two paths cannot drift apart.
/// </summary>
public abstract class ForwardOnlyReadStream : ForwardOnlyStream
{
    /// <remarks>Overridable for a stream that stops being readable, e.g. once disposed.</remarks>
    public override bool CanRead => true;
    public override bool CanWrite => false;

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <summary>Nothing is buffered for writing, so there is nothing to flush.</summary>
    public override void Flush() { }

    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
