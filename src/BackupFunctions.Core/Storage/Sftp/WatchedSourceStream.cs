using System.Runtime.ExceptionServices;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Storage.Sftp;

/// <summary>
/// The source of a put as the upload reads it, remembering a failure of the source itself: that failure is passed
/// to the caller unchanged, however the library reports it (it is not the destination's failure).
/// </summary>
internal sealed class WatchedSourceStream(Stream source) : ForwardOnlyReadStream
{
    /// <summary>What the source threw, if it did.</summary>
    public ExceptionDispatchInfo? Failure { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return source.Read(buffer);
        }
        catch (Exception ex)
        {
            Failure ??= ExceptionDispatchInfo.Capture(ex);
            throw;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await source.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex)
        {
            Failure ??= ExceptionDispatchInfo.Capture(ex);
            throw;
        }
    }
}
