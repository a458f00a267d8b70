namespace BackupFunctions.Core.Streams;

/// <summary>
/// A stream that is read or written once from start to end, like a pipe: no length, position, seeking or resizing.
/// Holds that part of the <see cref="Stream"/> contract once, so the engine's wrapping streams state only what they do.
/// </summary>
/// <remarks>
/// A derived stream that knows its length or position may still report it by overriding <see cref="Length"/> or
/// <see cref="Position"/>.
/// </remarks>
public abstract class ForwardOnlyStream : Stream
{
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
}
