using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Format;

/// <summary>
/// The decompressor's input: remembers the exception its own reads threw, so that <see cref="PartPlaintextStream"/>
/// can tell a failure of the stored bytes' checks or of the store (passed on as it is) from the decompressor rejecting
/// corrupt data (whatever exception type its library uses). Never disposes the inner stream.
/// </summary>
internal sealed class FaultTrackingReadStream(Stream inner) : ForwardOnlyReadStream
{
    private Exception? _failure;

    /// <summary>True when <paramref name="exception"/> is, or wraps, an exception thrown by a read of this stream.</summary>
    public bool Threw(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (ReferenceEquals(e, _failure))
                return true;
        }
        return false;
    }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception e)
        {
            _failure = e;
            throw;
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e)
        {
            _failure = e;
            throw;
        }
    }
}
