namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// Produces some bytes, then holds the put that reads it until <see cref="Release"/> before reporting its end: a put
/// caught in the middle, as a process killed mid-upload leaves it.
/// </summary>
public sealed class HeldStream(int bytesBeforePause) : BackupFunctions.Core.Streams.ForwardOnlyReadStream
{
    private int _produced;

    /// <summary>Released once the bytes before the pause have been read.</summary>
    public SemaphoreSlim Paused { get; } = new(0);

    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override int Read(Span<byte> buffer) => throw new NotSupportedException("async only");

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_produced >= bytesBeforePause)
        {
            if (!Release.Task.IsCompleted)
                Paused.Release();
            await Release.Task.WaitAsync(cancellationToken);
            return 0;
        }
        var count = Math.Min(buffer.Length, bytesBeforePause - _produced);
        buffer.Span[..count].Fill(0x5a);
        _produced += count;
        return count;
    }
}
