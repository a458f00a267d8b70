using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The plaintext of a part as <see cref="PartReader"/> returns it: turns decompression failures into
/// <see cref="IntegrityException"/> naming the part, and at the end of the plaintext reads the decoded stream to its
/// end, so the final chunk and the stored size and hash are always checked even when the decompressor stops early.
/// The plaintext must be exactly the manifest's <c>plainSize</c>: one byte more fails at once (a decompressor cannot
/// be made to produce more than the manifest promised), fewer fail at the end.
/// </summary>
/// <param name="plaintext">The decompressing stream, reading from <paramref name="input"/>.</param>
/// <param name="input">Wraps <paramref name="decoded"/>; tells the decompressor's own failures from those of its input.</param>
/// <param name="decoded">The compressed stream: the decrypting stream, or the hash-checking stored bytes without encryption.</param>
/// <param name="plainSize">The manifest's <c>plainSize</c> of the part.</param>
internal sealed class PartPlaintextStream(Stream plaintext, FaultTrackingReadStream input, Stream decoded, string objectName, long plainSize)
    : ForwardOnlyReadStream
{
    private bool _drained;
    private long _plaintextBytes;

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = plaintext.Read(buffer);
        }
        catch (Exception e) when (IsCorruptCompressedData(e))
        {
            throw CorruptData(e);
        }
        if (read == 0 && !buffer.IsEmpty && !_drained)
        {
            Span<byte> probe = stackalloc byte[1];
            CheckDrained(decoded.Read(probe));
        }
        return Count(read, buffer.IsEmpty);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await plaintext.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (IsCorruptCompressedData(e))
        {
            throw CorruptData(e);
        }
        if (read == 0 && !buffer.IsEmpty && !_drained)
            CheckDrained(await decoded.ReadAsync(new byte[1], cancellationToken));
        return Count(read, buffer.IsEmpty);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            plaintext.Dispose();
            decoded.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await plaintext.DisposeAsync();
        await decoded.DisposeAsync();
        await base.DisposeAsync();
    }

    private int Count(int read, bool emptyBuffer)
    {
        _plaintextBytes += read;
        if (_plaintextBytes > plainSize || (read == 0 && !emptyBuffer && _plaintextBytes != plainSize))
        {
            throw new IntegrityException(objectName,
                $"{(_plaintextBytes > plainSize ? "at least " : "")}{_plaintextBytes} plaintext bytes, the manifest says {plainSize}");
        }
        return read;
    }

    private void CheckDrained(int extraBytes)
    {
        if (extraBytes != 0)
            throw new IntegrityException(objectName, "data after the end of the compressed stream");
        _drained = true;
    }

    private IntegrityException CorruptData(Exception e) => new(objectName, $"decompression failed: {e.Message}", e);

    /// <summary>
    /// Anything the decompressor throws by itself means its input is not valid compressed data: each library has its
    /// own exception types (ZstdException, InvalidDataException, BZip2Exception, SharpCompress's, even
    /// IndexOutOfRangeException on garbage). What its input threw (an integrity failure, a store error) passes on as
    /// it is, and so do cancellation and use after disposal.
    /// </summary>
    private bool IsCorruptCompressedData(Exception e)
        => e is not (OperationCanceledException or ObjectDisposedException) && !input.Threw(e);
}
