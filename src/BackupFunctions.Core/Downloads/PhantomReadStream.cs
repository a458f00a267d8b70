using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Downloads;

/// <summary>
/// A stream of <c>length</c> bytes that are never produced: TarWriter copies it into a counting sink to measure a
/// tar before writing it (<see cref="BackupDownload"/>'s Content-Length) without reading any content.
/// </summary>
internal sealed class PhantomReadStream(long length) : ForwardOnlyReadStream
{
    private long _position;

    public override bool CanSeek => true;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer) => Advance(buffer.Length);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Advance(buffer.Length));

    private int Advance(int wanted)
    {
        var read = (int)Math.Min(wanted, length - _position);
        _position += read;
        return read;
    }
}
