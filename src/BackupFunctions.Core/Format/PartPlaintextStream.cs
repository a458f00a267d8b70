using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Streams;
using ZstdSharp;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The plaintext of a part as <see cref="PartReader"/> returns it: turns decompression failures into
/// <see cref="IntegrityException"/> naming the part, and at the end of the plaintext reads the decrypted stream to its
/// end, so the final chunk and the stored size and hash are always checked even when the decompressor stops early.
/// </summary>
internal sealed class PartPlaintextStream(Stream plaintext, DecryptingStream decrypted, string objectName) : ForwardOnlyReadStream
{
    private bool _drained;

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
            CheckDrained(decrypted.Read(probe));
        }
        return read;
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
            CheckDrained(await decrypted.ReadAsync(new byte[1], cancellationToken));
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            plaintext.Dispose();
            decrypted.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await plaintext.DisposeAsync();
        await decrypted.DisposeAsync();
        await base.DisposeAsync();
    }

    private void CheckDrained(int extraBytes)
    {
        if (extraBytes != 0)
            throw new IntegrityException(objectName, "data after the end of the compressed stream");
        _drained = true;
    }

    private IntegrityException CorruptData(Exception e) => new(objectName, $"decompression failed: {e.Message}", e);

    private static bool IsCorruptCompressedData(Exception e)
        => e is ZstdException or EndOfStreamException or InvalidDataException;
}
