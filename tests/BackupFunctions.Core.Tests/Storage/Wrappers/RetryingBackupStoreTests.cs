using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.Wrappers;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage.Wrappers;

public sealed class RetryingBackupStoreTests
{
    private readonly CancellationToken Ct = new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token;
    private readonly MemoryBackupStore _memory = new();
    private readonly FlakyStore _flaky;
    private readonly RetryingBackupStore _store;

    public RetryingBackupStoreTests()
    {
        _flaky = new FlakyStore(_memory);
        _store = new RetryingBackupStore(_flaky, maxRetries: 3, baseDelay: TimeSpan.FromMilliseconds(1));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    public async Task Transient_failures_are_retried_until_a_call_succeeds(int failures, int expectedCalls)
    {
        await _memory.PutAsync("a/x", new MemoryStream([1, 2]), Ct);
        _flaky.FailuresPerOperation = failures;

        Assert.Equal(2, (await _store.GetInfoAsync("a/x", Ct))!.Size);
        Assert.Equal(expectedCalls, _flaky.Calls("info"));
    }

    [Fact]
    public async Task After_the_last_retry_the_transient_failure_surfaces()
    {
        _flaky.FailuresPerOperation = 10;

        await Assert.ThrowsAsync<StoreTransientException>(() => _store.DeleteAsync("a/x", Ct));
        Assert.Equal(4, _flaky.Calls("delete"));
    }

    [Theory]
    [InlineData(StoreFailureKind.Authentication)]
    [InlineData(StoreFailureKind.Permission)]
    [InlineData(StoreFailureKind.ContainerNotFound)]
    public async Task Permanent_failures_are_not_retried(StoreFailureKind kind)
    {
        _flaky.FailuresPerOperation = 1;
        _flaky.Failure = () => new StoreException("refused", kind);

        var ex = await Assert.ThrowsAsync<StoreException>(() => _store.OpenReadAsync("a/x", Ct));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(1, _flaky.Calls("read"));
    }

    [Fact]
    public async Task A_put_of_a_seekable_source_is_replayed_from_its_start()
    {
        _flaky.FailuresPerOperation = 2;
        var content = new MemoryStream([9, 8, 7, 6, 5, 4, 3]) { Position = 1 };

        await _store.PutAsync("a/x", content, Ct);

        await using var read = await _memory.OpenReadAsync("a/x", Ct);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy, Ct);
        Assert.Equal([8, 7, 6, 5, 4, 3], copy.ToArray());
        Assert.Equal(3, _flaky.Calls("put"));
    }

    [Fact]
    public async Task A_put_of_a_stream_that_cannot_be_replayed_is_not_retried()
    {
        _flaky.FailuresPerOperation = 1;

        await Assert.ThrowsAsync<StoreTransientException>(() => _store.PutAsync("a/x", new GeneratedStream(100), Ct));
        Assert.Equal(1, _flaky.Calls("put"));
        Assert.False(await _memory.ExistsAsync("a/x", Ct));
    }

    [Fact]
    public async Task A_listing_that_breaks_midway_resumes_without_repeating_names()
    {
        for (var i = 0; i < 6; i++)
            await _memory.PutAsync($"p/{i}", new MemoryStream([1]), Ct);
        _flaky.BreakListAfter = 4;

        var names = new List<string>();
        await foreach (var info in _store.ListAsync("p/", Ct))
            names.Add(info.Name);

        Assert.Equal(["p/0", "p/1", "p/2", "p/3", "p/4", "p/5"], names);
    }
}
