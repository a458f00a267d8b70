using System.Security.Cryptography;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Tests.Streams;

public sealed class WriteBehindStreamTests
{
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Everything_written_reaches_the_inner_stream_in_order_by_the_time_CompleteAsync_returns()
    {
        var data = RandomNumberGenerator.GetBytes(3_000_000);
        var inner = new GateStream();
        inner.Open();

        await using (var behind = new WriteBehindStream(inner, CancellationToken.None))
        {
            // Async and sync writes, odd sizes, a flush in the middle.
            await behind.WriteAsync(data.AsMemory(0, 1_000_001));
            behind.Write(data.AsSpan(1_000_001, 7));
            await behind.FlushAsync();
            for (var offset = 1_000_008; offset < data.Length; offset += 65_537)
                await behind.WriteAsync(data.AsMemory(offset, Math.Min(65_537, data.Length - offset)));
            await behind.CompleteAsync();
            Assert.Equal(data, inner.Received());
        }
    }

    [Fact]
    public async Task The_writer_cannot_run_further_ahead_of_the_inner_stream_than_the_pipe_bound()
    {
        var inner = new GateStream(); // closed: the copy blocks on its first write
        await using var behind = new WriteBehindStream(inner, CancellationToken.None);
        long written = 0;

        var writer = Task.Run(async () =>
        {
            var block = new byte[64 * 1024];
            for (var i = 0; i < 1000; i++) // 64 MiB: far more than the bound
            {
                await behind.WriteAsync(block);
                Interlocked.Add(ref written, block.Length);
            }
        });

        await Task.Delay(500);
        Assert.False(writer.IsCompleted);
        // The pipe's bound, plus the block the copy holds and the block that crossed the threshold.
        Assert.InRange(Interlocked.Read(ref written), 1, WriteBehindStream.PauseWriterThreshold + 512 * 1024);

        inner.Open();
        await writer.WaitAsync(NoHang);
        await behind.CompleteAsync().WaitAsync(NoHang);
        Assert.Equal(64_000L * 1024, inner.ReceivedLength);
    }

    [Fact]
    public async Task A_failing_inner_stream_fails_the_blocked_writer_with_its_exception_without_hanging()
    {
        var inner = new GateStream { FailAfter = 1_000_000 };
        inner.Open();
        await using var behind = new WriteBehindStream(inner, CancellationToken.None);

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            // Far more than the pipe holds: the writer can only get out of this loop by failing.
            for (var i = 0; i < 1000; i++)
                await behind.WriteAsync(new byte[64 * 1024]).AsTask().WaitAsync(NoHang);
        });
        Assert.Same(inner.Failure, e);
        // A synchronous writer too, and completing throws the same failure.
        Assert.Same(inner.Failure, Assert.Throws<InvalidDataException>(() => behind.Write(new byte[10])));
        Assert.Same(inner.Failure, await Assert.ThrowsAsync<InvalidDataException>(() => behind.CompleteAsync().WaitAsync(NoHang)));
    }

    [Fact]
    public async Task A_failure_that_ends_the_last_write_is_thrown_by_CompleteAsync()
    {
        var inner = new GateStream { FailAfter = 10 };
        inner.Open();
        await using var behind = new WriteBehindStream(inner, CancellationToken.None);

        await behind.WriteAsync(new byte[100]); // room in the pipe: succeeds, the copy fails later

        Assert.Same(inner.Failure, await Assert.ThrowsAsync<InvalidDataException>(() => behind.CompleteAsync().WaitAsync(NoHang)));
    }

    [Fact]
    public async Task Abort_stops_the_copy_before_the_rest_reaches_the_inner_stream_and_does_not_throw()
    {
        var inner = new GateStream();
        await using var behind = new WriteBehindStream(inner, CancellationToken.None);
        await behind.WriteAsync(new byte[100_000]);
        await Task.Delay(200); // the copy has taken these and waits on the inner stream
        await behind.WriteAsync(new byte[900_000]);

        var abort = behind.AbortAsync(new InvalidOperationException("the producer failed"));
        inner.Open();
        await abort.WaitAsync(NoHang);
        var received = inner.ReceivedLength;

        Assert.True(received < 1_000_000, $"the inner stream received {received} bytes after the abort");
        await Task.Delay(100);
        Assert.Equal(received, inner.ReceivedLength); // nothing touches the inner stream any more
        await Assert.ThrowsAsync<InvalidOperationException>(() => behind.WriteAsync(new byte[1]).AsTask());
    }

    [Fact]
    public async Task Cancellation_releases_a_writer_blocked_on_a_full_pipe()
    {
        using var cancellation = new CancellationTokenSource();
        var inner = new GateStream(); // never opened: the copy waits for ever unless cancelled
        await using var behind = new WriteBehindStream(inner, cancellation.Token);

        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 1000; i++)
                await behind.WriteAsync(new byte[64 * 1024], cancellation.Token);
        });
        await Task.Delay(200);
        Assert.False(writer.IsCompleted);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.WaitAsync(NoHang));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => behind.CompleteAsync().WaitAsync(NoHang));
    }

    [Fact]
    public async Task Disposing_without_completing_aborts_and_does_not_hang()
    {
        var inner = new GateStream();
        var behind = new WriteBehindStream(inner, CancellationToken.None);
        await behind.WriteAsync(new byte[100_000]);

        inner.Open();
        await behind.DisposeAsync().AsTask().WaitAsync(NoHang);

        Assert.False(behind.CanWrite);
    }

    /// <summary>An inner stream whose writes wait until it is opened, then record the data (and fail, if asked).</summary>
    private sealed class GateStream : ForwardOnlyWriteStream
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly MemoryStream _received = new();
        private long _receivedLength;

        public long? FailAfter { get; init; }

        public InvalidDataException Failure { get; } = new("the compressor broke");

        public long ReceivedLength => Interlocked.Read(ref _receivedLength);

        public void Open() => _open.TrySetResult();

        public byte[] Received()
        {
            lock (_received)
                return _received.ToArray();
        }

        public override void Write(ReadOnlySpan<byte> buffer) => throw new NotSupportedException("the copy writes asynchronously");

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _open.Task.WaitAsync(cancellationToken);
            lock (_received)
                _received.Write(buffer.Span);
            if (Interlocked.Add(ref _receivedLength, buffer.Length) > FailAfter)
                throw Failure;
        }
    }
}
