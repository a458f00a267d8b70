using BackupFunctions.Core.Storage.Wrappers;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage.Wrappers;

public sealed class ThrottlingBackupStoreTests
{
    private readonly CancellationToken Ct = new CancellationTokenSource(TimeSpan.FromMinutes(1)).Token;

    [Fact]
    public async Task A_read_holds_its_slot_until_its_stream_is_disposed()
    {
        var memory = new MemoryBackupStore();
        await memory.PutAsync("a", new MemoryStream([1]), Ct);
        var store = new ThrottlingBackupStore(memory, maxConcurrentCalls: 1);

        var first = await store.OpenReadAsync("a", Ct);
        Assert.Equal(0, store.FreeSlots);
        var second = store.GetInfoAsync("a", Ct);
        await Task.Delay(50, Ct);
        Assert.False(second.IsCompleted);

        await first.DisposeAsync();
        await first.DisposeAsync();
        Assert.NotNull(await second);
        Assert.Equal(1, store.FreeSlots);
    }

    [Fact]
    public async Task A_failed_call_gives_its_slot_back()
    {
        var store = new ThrottlingBackupStore(new MemoryBackupStore(), maxConcurrentCalls: 1);

        await Assert.ThrowsAsync<Core.Storage.StoreObjectNotFoundException>(() => store.OpenReadAsync("missing", Ct));
        Assert.Equal(1, store.FreeSlots);
    }

    [Fact]
    public async Task A_caller_may_read_what_it_lists_while_listing_with_one_slot()
    {
        var memory = new MemoryBackupStore();
        await memory.PutAsync("p/a", new MemoryStream([1]), Ct);
        await memory.PutAsync("p/b", new MemoryStream([2]), Ct);
        var store = new ThrottlingBackupStore(memory, maxConcurrentCalls: 1);

        var sizes = 0L;
        await foreach (var info in store.ListAsync("p/", Ct))
            sizes += (await store.GetInfoAsync(info.Name, Ct))!.Size;
        Assert.Equal(2, sizes);
    }
}
