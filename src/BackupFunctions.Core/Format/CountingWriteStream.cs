using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Format;

/// <summary>Write-only pass-through that counts bytes (a part's plaintext size). Never disposes the inner stream.</summary>
internal sealed class CountingWriteStream(Stream inner) : ForwardOnlyWriteStream
{
    public long BytesWritten { get; private set; }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        BytesWritten += buffer.Length;
    }

    public override void Flush() => inner.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
