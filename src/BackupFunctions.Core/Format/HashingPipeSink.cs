using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The end of the write pipeline: counts and hashes the stored bytes and writes them into the pipe the store reads,
/// flushing after every write so the pipe's pause threshold bounds memory (the producer waits for the store).
/// </summary>
internal sealed class HashingPipeSink(PipeWriter writer) : ForwardOnlyWriteStream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesWritten { get; private set; }

    /// <summary>Lowercase hex SHA-256 of everything written.</summary>
    public string Sha256Hex() => Convert.ToHexStringLower(_sha256.GetCurrentHash());

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Account(buffer);
        writer.Write(buffer);
        // Only a synchronous producer gets here; it blocks while the store catches up, which is the point.
        Check(writer.FlushAsync().AsTask().GetAwaiter().GetResult());
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Account(buffer.Span);
        Check(await writer.WriteAsync(buffer, cancellationToken));
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
