using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Compression;

/// <summary>
/// Reads the inner stream only in whole blocks into a buffer of its own and serves callers from that buffer.
/// SharpCompress's lzip reader miscounts its CRC when callers ask for odd-sized pieces at odd offsets (the tar reader
/// does), failing correct files; reading it the way CopyTo does keeps it correct.
/// </summary>
internal sealed class WholeBlockReadStream(Stream inner) : ForwardOnlyReadStream
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public override int Read(Span<byte> buffer)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = inner.Read(_buffer, 0, _buffer.Length);
        }
        return Serve(buffer);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start == _end)
        {
            _start = 0;
            _end = await inner.ReadAsync(_buffer.AsMemory(0, _buffer.Length), cancellationToken);
        }
        return Serve(buffer.Span);
    }

    private int Serve(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, _end - _start);
        _buffer.AsSpan(_start, n).CopyTo(buffer);
        _start += n;
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        _buffer = [];
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        _buffer = [];
        await base.DisposeAsync();
    }
}
