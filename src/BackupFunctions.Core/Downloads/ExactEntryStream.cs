using System.Security.Cryptography;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Downloads;

/// <summary>
/// The content of one entry of a download tar: exactly <c>length</c> bytes of an inner stream, checked as they pass.
/// TarWriter writes the size into the header before copying, so the length is promised up front; an inner stream
/// that ends early or runs on, or whose SHA-256 differs from the one expected, throws <see cref="IntegrityException"/>
/// from the read that finds it — before the entry is complete, so the tar is never finished with wrong content.
/// Seekable only in the sense TarWriter needs (Length and Position).
/// </summary>
internal sealed class ExactEntryStream : ForwardOnlyReadStream
{
    private readonly Stream _inner;
    private readonly long _length;
    private readonly string _name;
    private readonly byte[]? _expectedSha256;
    private readonly IncrementalHash? _hash;
    private readonly byte[]? _prefix;
    private long _position;

    /// <param name="expectedSha256">Hex SHA-256 the content must have; null: not checked here (the part's own checks cover it).</param>
    /// <param name="prefix">Bytes the content must start with (a file format's magic); null: any.</param>
    public ExactEntryStream(Stream inner, long length, string name, string? expectedSha256, byte[]? prefix = null)
    {
        _inner = inner;
        _prefix = prefix;
        _length = length;
        _name = name;
        if (expectedSha256 is not null)
        {
            _expectedSha256 = Convert.FromHexString(expectedSha256);
            _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
    }

    public override bool CanSeek => true;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (wanted == 0)
        {
            if (buffer.IsEmpty)
                return 0;
            Span<byte> one = stackalloc byte[1];
            return End(_inner.Read(one));
        }
        return Account(buffer[..wanted], _inner.Read(buffer[..wanted]));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (wanted == 0)
        {
            if (buffer.IsEmpty)
                return 0;
            return End(await _inner.ReadAsync(new byte[1], cancellationToken));
        }
        var read = await _inner.ReadAsync(buffer[..wanted], cancellationToken);
        return Account(buffer.Span[..wanted], read);
    }

    private int Account(Span<byte> buffer, int read)
    {
        if (read == 0)
            throw new IntegrityException(_name, $"ended after {_position} of its {_length} bytes");
        _hash?.AppendData(buffer[..read]);
        if (_prefix is not null && _position < _prefix.Length)
        {
            var start = (int)_position;
            var compared = Math.Min(read, _prefix.Length - start);
            if (!buffer[..compared].SequenceEqual(_prefix.AsSpan(start, compared)) || (_length < _prefix.Length))
                throw new IntegrityException(_name, "is not in the expected format (its first bytes differ)");
        }
        _position += read;
        if (_position == _length && _hash is not null && !CryptographicOperations.FixedTimeEquals(_hash.GetCurrentHash(), _expectedSha256))
            throw new IntegrityException(_name, "its content differs from the SHA-256 the index lists");
        return read;
    }

    /// <summary>At the promised length: the inner stream must end here too.</summary>
    private int End(int more) => more == 0 ? 0 : throw new IntegrityException(_name, $"holds more than the {_length} bytes listed");

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _hash?.Dispose();
        base.Dispose(disposing);
    }
}
