using System.Collections.Concurrent;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// The producer, the encoding (behind a write-behind pipe) and the store run concurrently: a failure or a cancellation
/// anywhere must reach the others, be reported as its own exception, never hang and never leave an object.
/// </summary>
public sealed class PartWriterPipelineTests
{
    private const string Name = "site1/backups/b1/files-00001.part";
    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);
    private readonly RecordingStore _store = new();
    private readonly byte[] _dataKey = DataKeys.Generate();

    [Fact]
    public async Task A_producer_failure_is_what_the_stores_content_stream_throws_and_nothing_is_visible()
    {
        var failure = new SourceFailedException("uploads/big.mp4 could not be read");

        var thrown = await Assert.ThrowsAsync<SourceFailedException>(() => WriteAsync(async (s, ct) =>
        {
            for (var i = 0; i < 30; i++)
                await s.WriteAsync(TestData.Random(1024 * 1024, seed: i), ct);
            throw failure;
        }));

        Assert.Same(failure, thrown);
        Assert.True(_store.Inner.BytesReceived > 0, "the store was already receiving the part");
        // The store saw its content fail with the producer's own exception: an object is kept only on a clean end.
        Assert.Same(failure, Assert.Single(_store.PutFailures[Name]));
        Assert.Empty(_store.Inner.Names);
    }

    [Fact]
    public async Task A_synchronous_producer_failure_is_reported_the_same_way()
    {
        var failure = new SourceFailedException();

        var thrown = await Assert.ThrowsAsync<SourceFailedException>(() => WriteAsync((s, _) =>
        {
            for (var i = 0; i < 30; i++)
                s.Write(TestData.Random(1024 * 1024, seed: i));
            throw failure;
        }));

        Assert.Same(failure, thrown);
        Assert.Same(failure, Assert.Single(_store.PutFailures[Name]));
        Assert.Empty(_store.Inner.Names);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(5_000_000)]
    public async Task A_store_failure_stops_an_async_producer_without_hanging_and_is_the_exception_reported(int failAfter)
    {
        _store.FailAfterBytes = failAfter;
        var producerStopped = false;

        var e = await Assert.ThrowsAsync<StoreException>(() => WriteAsync(async (s, ct) =>
        {
            try
            {
                // Far more than the pipes and the compressor hold: without the store reading, this can only end by failing.
                for (var i = 0; i < 200; i++)
                    await s.WriteAsync(TestData.Random(1024 * 1024, seed: i), ct);
            }
            catch (Exception)
            {
                producerStopped = true;
                throw;
            }
        }).WaitAsync(NoHang));

        Assert.Contains("quota exceeded", e.Message, StringComparison.Ordinal);
        Assert.True(producerStopped);
        Assert.Empty(_store.Inner.Names);
    }

    [Fact]
    public async Task A_store_failure_stops_a_synchronous_producer_without_hanging()
    {
        _store.FailAfterBytes = 16;
        var block = TestData.Random(1024 * 1024);

        await Assert.ThrowsAsync<StoreException>(() => WriteAsync((s, _) =>
        {
            // A blocking producer (no token checks): only a failing write can get it out of this loop.
            for (var i = 0; i < 200; i++)
                s.Write(block);
            return Task.CompletedTask;
        }).WaitAsync(NoHang));

        Assert.Empty(_store.Inner.Names);
    }

    [Fact]
    public async Task Cancellation_midway_stops_producer_encoding_and_store_and_leaves_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        long written = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PartWriter.WriteAsync(
            _store, Name, "b1", "files-00001.part", "files", new PartSettings(), _dataKey,
            async (s, _) =>
            {
                // Ignores the token it is given: the pipe's writes must still fail once the part is cancelled.
                for (var i = 0; i < 1000; i++)
                {
                    await s.WriteAsync(TestData.Random(1024 * 1024, seed: i % 8), CancellationToken.None);
                    if ((written += 1024 * 1024) == 8 * 1024 * 1024)
                        await cancellation.CancelAsync();
                }
            },
            cancellation.Token).WaitAsync(NoHang));

        Assert.True(written < 1000L * 1024 * 1024, "the producer ran to its end");
        Assert.Empty(_store.Inner.Names);
    }

    [Fact]
    public async Task A_part_cancelled_before_it_starts_leaves_nothing()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PartWriter.WriteAsync(
            _store, Name, "b1", "files-00001.part", "files", new PartSettings(), _dataKey,
            (s, ct) => s.WriteAsync(TestData.Random(100_000), ct).AsTask(),
            cancellation.Token).WaitAsync(NoHang));

        Assert.Empty(_store.Inner.Names);
    }

    private Task<StoredPart> WriteAsync(Func<Stream, CancellationToken, Task> produce)
        => PartWriter.WriteAsync(_store, Name, "b1", "files-00001.part", "files", new PartSettings(), _dataKey, produce, CancellationToken.None);

    /// <summary>
    /// A memory store that records the exception each put ended with, and can fail a put itself (as a destination that
    /// runs out of quota) after reading a number of bytes.
    /// </summary>
    private sealed class RecordingStore(MemoryBackupStore inner) : ForwardingBackupStore(inner)
    {
        public RecordingStore() : this(new MemoryBackupStore())
        {
        }

        public MemoryBackupStore Inner { get; } = inner;

        public ConcurrentDictionary<string, ConcurrentBag<Exception>> PutFailures { get; } = new();

        public long? FailAfterBytes { get; set; }

        public override async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            try
            {
                if (FailAfterBytes is { } limit)
                {
                    if (limit > 0)
                        await content.ReadExactlyAsync(new byte[limit], cancellationToken);
                    throw new StoreException($"put {name} failed: quota exceeded");
                }
                await Inner.PutAsync(name, content, cancellationToken);
            }
            catch (Exception e)
            {
                PutFailures.GetOrAdd(name, _ => []).Add(e);
                throw;
            }
        }
    }
}
