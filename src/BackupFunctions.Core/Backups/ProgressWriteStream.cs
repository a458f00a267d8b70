using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Backups;

/// <summary>Write-only pass-through that reports the running byte count after each write. Never disposes the inner stream.</summary>
internal sealed class ProgressWriteStream(Stream inner, IProgress<long> progress) : ForwardOnlyWriteStream
{
    private long _written;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        progress.Report(_written += buffer.Length);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken);
        progress.Report(_written += buffer.Length);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
}
