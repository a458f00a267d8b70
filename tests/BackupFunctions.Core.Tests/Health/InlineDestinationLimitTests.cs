using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Health;

/// <summary>maxSizeBytes on an inline destination: validated, and enforced by a local folder like a storage location's.</summary>
public sealed class InlineDestinationLimitTests
{
    private static BackupConfig With(StorageDestination storage) => new()
    {
        Name = "site",
        Files = new FilesSource { Root = "/srv/site" },
        Schedule = new BackupSchedule { Frequency = "manual" },
        Storage = storage,
    };

    [Fact]
    public void The_limit_must_be_positive_and_only_on_inline_destinations()
    {
        Assert.Empty(BackupConfigValidator.Validate(With(new StorageDestination { Type = "local", Path = "a", MaxSizeBytes = 1 })));
        Assert.Contains("storage.maxSizeBytes", BackupConfigValidator.Validate(With(new StorageDestination { Type = "local", Path = "a", MaxSizeBytes = 0 })).Keys);
        Assert.Contains("storage.maxSizeBytes", BackupConfigValidator.Validate(
            With(new StorageDestination { StorageId = "stg-000000000000000000000001", MaxSizeBytes = 100 })).Keys);
    }

    [Fact]
    public async Task A_local_inline_destination_refuses_puts_beyond_its_limit()
    {
        using var folder = new TempFolder();
        var store = new BackupStoreFactory(Options.Create(new StorageOptions { LocalRoot = folder.Path }))
            .Create(new StorageDestination { Type = "local", Path = "small", MaxSizeBytes = 100 });
        using (var fits = new MemoryStream(new byte[80]))
            await store.PutAsync("a", fits, default);
        using var tooMuch = new MemoryStream(new byte[30]);
        var e = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("b", tooMuch, default));
        Assert.Equal(StoreFailureKind.Full, e.Kind);
    }
}
