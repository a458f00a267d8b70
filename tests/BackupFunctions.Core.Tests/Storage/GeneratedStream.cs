using System.Security.Cryptography;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>
/// A forward-only source like a pipe from pg_dump or tar: no Length, no Seek. It produces <c>length</c>
/// deterministic pseudo-random bytes and can fail or cancel after a given number of bytes, to prove that a
/// broken put leaves nothing behind.
/// </summary>
internal sealed class GeneratedStream(long length, int seed = 1) : ForwardOnlyReadStream
{
    private readonly Random _random = new(seed);
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _produced;

    /// <summary>Throw <see cref="SourceFailedException"/> once this many bytes have been produced.</summary>
    public long? FailAfter { get; init; }

    /// <summary>Cancel this source once <see cref="FailAfter"/> is reached instead of throwing.</summary>
    public CancellationTokenSource? CancelAt { get; init; }

    /// <summary>SHA-256 of the bytes produced so far.</summary>
    public byte[] Sha256 => _hash.GetCurrentHash();

    public static byte[] Sha256Of(long length, int seed = 1)
    {
        using var source = new GeneratedStream(length, seed);
        source.CopyTo(Null);
        return source.Sha256;
    }

    public override int Read(Span<byte> buffer)
    {
        if (FailAfter is { } limit && _produced >= limit)
        {
            if (CancelAt is null)
                throw new SourceFailedException();
            CancelAt.Cancel();
            CancelAt.Token.ThrowIfCancellationRequested();
        }
        var end = FailAfter is { } failAt ? Math.Min(length, failAt) : length;
        // Odd-sized reads like a pipe's, so no code path can rely on full buffers.
        var count = (int)Math.Min(Math.Min(buffer.Length, 200_003), end - _produced);
        if (count <= 0)
            return 0;
        var chunk = buffer[..count];
        _random.NextBytes(chunk);
        _hash.AppendData(chunk);
        _produced += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _hash.Dispose();
        base.Dispose(disposing);
    }
}
