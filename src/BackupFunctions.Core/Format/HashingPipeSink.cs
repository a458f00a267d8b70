using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The end of the write pipeline: counts and hashes the stored bytes and writes them into the pipe the store reads,
/// flushing after every write so the pipe's pause threshold bounds memory (the producer waits for the store).
/// </summary>
internal sealed class HashingPipeSink(PipeWriter writer) : Stream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesWritten { get; private set; }

    /// <summary>Lowercase hex SHA-256 of everything written.</summary>
    public string Sha256Hex() => Convert.ToHexStringLower(_sha256.GetCurrentHash());

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Account(buffer);
        writer.Write(buffer);
        // Only a synchronous producer gets here; it blocks while the store catches up, which is the point.
        Check(writer.FlushAsync().AsTask().GetAwaiter().GetResult());
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Account(buffer.Span);
        Check(await writer.WriteAsync(buffer, cancellationToken));
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _sha256.Dispose();
        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> buffer)
    {
        _sha256.AppendData(buffer);
        BytesWritten += buffer.Length;
    }

    private static void Check(FlushResult result)
    {
        if (result.IsCanceled)
            throw new OperationCanceledException("Writing the part was cancelled.");
        if (result.IsCompleted)
            throw new IOException("The store stopped reading the part before its end.");
    }
}
