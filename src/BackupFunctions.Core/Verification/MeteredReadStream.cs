using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Verification;

/// <summary>Counts the bytes read through it and keeps the first few, so a consumer can be checked afterwards.</summary>
internal sealed class MeteredReadStream(Stream inner, int headSize = 8) : ForwardOnlyReadStream
{
    private readonly byte[] _head = new byte[headSize];
    private int _headLength;

    public long BytesRead { get; private set; }

    /// <summary>The first bytes read (fewer when the stream is shorter).</summary>
    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    public override int Read(Span<byte> buffer) => Count(buffer, inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        return Count(buffer.Span, read);
    }

    /// <summary>Reads what is left, so that the verifying streams below check the end of the part.</summary>
    public Task DrainAsync(CancellationToken cancellationToken) => CopyToAsync(Null, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Count(ReadOnlySpan<byte> buffer, int read)
    {
        if (_headLength < _head.Length && read > 0)
        {
            var take = Math.Min(read, _head.Length - _headLength);
            buffer[..take].CopyTo(_head.AsSpan(_headLength));
            _headLength += take;
        }
        BytesRead += read;
        return read;
    }
}
