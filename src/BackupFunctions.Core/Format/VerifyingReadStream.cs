using System.Security.Cryptography;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Format;

/// <summary>
/// Read-only pass-through over a stored object that counts and hashes its bytes and, at the end, compares them with
/// what the manifest lists. Bytes beyond the listed size fail at once instead of at the end.
/// </summary>
internal sealed class VerifyingReadStream : ForwardOnlyReadStream
{
    private const string Reason = "stored size/SHA-256 differ from the manifest";

    private readonly Stream _inner;
    private readonly string _objectName;
    private readonly long _expectedSize;
    private readonly byte[] _expectedSha256;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;
    private bool _verified;

    public VerifyingReadStream(Stream inner, string objectName, long expectedSize, string expectedSha256Hex)
    {
        _inner = inner;
        _objectName = objectName;
        _expectedSize = expectedSize;
        try
        {
            _expectedSha256 = Convert.FromHexString(expectedSha256Hex);
        }
        catch (FormatException e)
        {
            throw new IntegrityException(objectName, "the manifest's SHA-256 is not hex", e);
        }
        if (_expectedSha256.Length != SHA256.HashSizeInBytes)
            throw new IntegrityException(objectName, "the manifest's SHA-256 is not 32 bytes");
    }

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        return Account(buffer[..read], atEnd: read == 0 && !buffer.IsEmpty);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        return Account(buffer.Span[..read], atEnd: read == 0 && !buffer.IsEmpty);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _sha256.Dispose();
        await _inner.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Account(ReadOnlySpan<byte> read, bool atEnd)
    {
        _length += read.Length;
        if (_length > _expectedSize)
            throw new IntegrityException(_objectName, $"{Reason} (more than {_expectedSize} bytes)");
        _sha256.AppendData(read);

        if (atEnd && !_verified)
        {
            Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
            _sha256.GetCurrentHash(actual);
            // Both checks always run, so the time taken does not tell which one failed or where the hashes differ.
            var sizeMatches = _length == _expectedSize;
            var hashMatches = CryptographicOperations.FixedTimeEquals(actual, _expectedSha256);
            if (!(sizeMatches & hashMatches))
                throw new IntegrityException(_objectName, Reason);
            _verified = true;
        }
        return read.Length;
    }
}
