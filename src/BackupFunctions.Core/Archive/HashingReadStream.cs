using System.Security.Cryptography;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Read-through view of a file that hashes (SHA-256) what passes and guarantees exactly the length that was promised
/// up front: TarWriter writes the size into the header first and then copies until end of stream, so a file that grew
/// or shrank meanwhile would corrupt the archive. Either case throws an <see cref="IOException"/> naming the file.
/// Seekable only in the sense TarWriter needs (Length and Position); the file is read once.
/// </summary>
internal sealed class HashingReadStream : ForwardOnlyReadStream
{
    private readonly Stream _inner;
    private readonly string _displayName;
    private readonly long _length;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;

    public HashingReadStream(Stream inner, long length, string displayName)
    {
        _inner = inner;
        _length = length;
        _displayName = displayName;
    }

    public override bool CanSeek => true;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>SHA-256 of the content; valid once the stream was read to its end.</summary>
    public byte[] GetHash()
    {
        if (_position != _length)
            throw new InvalidOperationException($"{_displayName}: hash requested after {_position} of {_length} bytes");
        return _hash.GetCurrentHash();
    }

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
            return 0;
        if (_position == _length)
        {
            Span<byte> probe = stackalloc byte[1];
            return _inner.Read(probe) == 0 ? 0 : throw Grew();
        }

        var read = _inner.Read(buffer[..(int)Math.Min(buffer.Length, _length - _position)]);
        return Account(buffer[..read]);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
            return 0;
        if (_position == _length)
            return await _inner.ReadAsync(new byte[1], cancellationToken) == 0 ? 0 : throw Grew();

        var read = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _length - _position)], cancellationToken);
        return Account(buffer.Span[..read]);
    }

    private int Account(ReadOnlySpan<byte> read)
    {
        if (read.IsEmpty)
            throw new IOException($"{_displayName}: file shrank while being archived ({_position} of {_length} bytes read)");
        _hash.AppendData(read);
        _position += read.Length;
        return read.Length;
    }

    private IOException Grew() => new($"{_displayName}: file grew while being archived (more than {_length} bytes)");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
