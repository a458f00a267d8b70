using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// The backup side runs with a Key Vault identity that may only read keys: the whole backup completes without a single
/// wrap or unwrap call to the vault, and only an identity with unwrap rights can restore it.
/// </summary>
public sealed class KeyVaultBackupTests(KeyVaultHostFixture host) : IClassFixture<KeyVaultHostFixture>
{
    [Fact]
    public async Task A_read_only_vault_identity_backs_up_and_an_unwrap_identity_restores()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var prefix = "kv-" + Guid.NewGuid().ToString("N")[..6];
        var configId = await host.CreateConfigAsync(new
        {
            name = "key vault",
            files = new { root = site, components = new[] { "uploads", "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix },
            encryption = new { algorithm = "chacha20-poly1305" },
        });
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

        var vaultCalls = host.Vault.Requests.ToList();
        Assert.Contains(vaultCalls, r => r.Method == "GET" && r.Status == 200);
        Assert.DoesNotContain(vaultCalls, r => r.Method == "POST");

        var services = host.Host.Services;
        var store = services.GetRequiredService<BackupStoreFactory>()
            .Create(new StorageDestination { Type = "azureBlob", Container = host.Container, Prefix = prefix });
        var target = host.Scratch("kv-restored");
        var runner = new RestoreRunner(host.RestoreKey(), services.GetRequiredService<PostgresRestorer>(),
            services.GetRequiredService<PostgresDumper>(), NullLogger<RestoreRunner>.Instance);
        await runner.RestoreAsync(new RestoreRequest(store, prefix, jobId, target, null), default);

        Assert.Equal(FolderSnapshot.Take(site, ["uploads", "config"]), FolderSnapshot.Take(target));
        Assert.Contains(host.Vault.Requests, r => r.Method == "POST" && r.Path.EndsWith("/unwrapkey", StringComparison.Ordinal) && r.Status == 200);
    }
}
