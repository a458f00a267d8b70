using BackupFunctions.LocalHost;

namespace BackupFunctions.Tests;

/// <summary>The local host's Durable backend settings are checked before anything starts, naming the setting.</summary>
public sealed class LocalDurableBackendTests
{
    [Theory]
    [InlineData("LocalHost:DurableBackend", "sqlite", "LocalHost:DurableBackend")]
    [InlineData("LocalHost:MessageVisibilitySeconds", "1", "LocalHost:MessageVisibilitySeconds")]
    [InlineData("LocalHost:TestOnlyVolumeDelayMilliseconds", "-1", "LocalHost:TestOnlyVolumeDelayMilliseconds")]
    public async Task A_bad_backend_setting_stops_the_host_before_it_starts(string setting, string value, string named)
    {
        var options = new LocalHostOptions { Url = "http://127.0.0.1:0", EnableTimers = false };
        options.Settings[setting] = value;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalFunctionsHost.StartAsync(options));
        Assert.Contains(named, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_azure_storage_backend_needs_a_task_hub_name_storage_accepts()
    {
        var options = new LocalHostOptions { Url = "http://127.0.0.1:0", EnableTimers = false };
        options.Settings["LocalHost:DurableBackend"] = "azureStorage";
        options.Settings["LocalHost:TaskHub"] = "bad-hub!";
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalFunctionsHost.StartAsync(options));
        Assert.Contains("LocalHost:TaskHub", refused.Message, StringComparison.Ordinal);
    }
}
