using System.Security.Cryptography;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Read-through view of a file that hashes (SHA-256) what passes and yields exactly the length that was promised up
/// front: TarWriter writes the size into the header first and then copies until end of stream, so a file that grew or
/// shrank meanwhile would corrupt the archive. A file that grew is cut at the promised length (what was appended is
/// not read); one that shrank is completed with zero bytes (<see cref="Shrank"/> tells). The hash is of what passed,
/// so the index entry matches the stored bytes either way. Seekable only in the sense TarWriter needs (Length and
/// Position); the file is read once.
/// </summary>
internal sealed class HashingReadStream : ForwardOnlyReadStream
{
    private readonly Stream _inner;
    private readonly string _displayName;
    private readonly long _length;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _position;
    private bool _shrank;

    public HashingReadStream(Stream inner, long length, string displayName)
    {
        _inner = inner;
        _length = length;
        _displayName = displayName;
    }

    /// <summary>The file ended before the promised length; the rest was made up of zero bytes.</summary>
    public bool Shrank => _shrank;

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
        var wanted = Wanted(buffer.Length);
        if (wanted == 0)
            return 0;
        var read = _shrank ? 0 : _inner.Read(buffer[..wanted]);
        return Account(buffer[..wanted], read);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = Wanted(buffer.Length);
        if (wanted == 0)
            return 0;
        var read = _shrank ? 0 : await _inner.ReadAsync(buffer[..wanted], cancellationToken);
        return Account(buffer.Span[..wanted], read);
    }

    private int Wanted(int bufferLength) => (int)Math.Min(bufferLength, _length - _position);

    /// <summary>Hashes what was read; at a premature end of file, fills the buffer with zeros instead.</summary>
    private int Account(Span<byte> buffer, int read)
    {
        if (read == 0)
        {
            _shrank = true;
            buffer.Clear();
            read = buffer.Length;
        }
        _hash.AppendData(buffer[..read]);
        _position += read;
        return read;
    }

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
