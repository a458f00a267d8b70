using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// DELETE /api/backups/{id}: every copy goes (primary and replica, manifest first) and then the row and its count; a
/// backup another one needs, the newest of an enabled config (unless forced), one a restore reads and one under an
/// immutability lock are refused with 409 and a reason, and nothing of them is touched.
/// </summary>
public sealed class BackupDeleteTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_base_and_the_newest_are_refused_and_a_forced_delete_removes_every_copy()
    {
        var site = SmallSite("del-site");
        var configId = await host.CreateConfigAsync(new
        {
            name = "deletions",
            type = "incremental",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "del-primary" },
            replicas = new[] { new { type = "local", path = "del-replica" } },
        });
        var first = await BackUpAsync(configId);
        await File.AppendAllTextAsync(Path.Combine(site, "config", "settings.php"), "// changed\n");
        var second = await BackUpAsync(configId);
        Assert.Equal(2, await TotalAsync(configId));

        // The first is the base the second's files point into.
        using (var response = await host.Http.DeleteAsync($"api/backups/{first}"))
            await AssertRefusedAsync(response, "referenced", second);
        // The second is the newest successful backup of an enabled config.
        using (var response = await host.Http.DeleteAsync($"api/backups/{second}"))
            await AssertRefusedAsync(response, "newest", "force=true");
        Assert.True(Directory.EnumerateFiles(Folder("del-primary", second)).Any());
        using (var response = await host.Http.DeleteAsync($"api/backups/{second}?force=maybe"))
            await ProblemAssert.NamesFieldAsync(response, "force");

        using (var response = await host.Http.DeleteAsync($"api/backups/{second}?force=true"))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(Directory.Exists(Folder("del-primary", second)) && Directory.EnumerateFileSystemEntries(Folder("del-primary", second)).Any());
        Assert.False(Directory.Exists(Folder("del-replica", second)) && Directory.EnumerateFileSystemEntries(Folder("del-replica", second)).Any());
        using (var gone = await host.Http.GetAsync($"api/backups/{second}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(1, await TotalAsync(configId));

        // Now the first is needed by nothing, but it is the newest: force again, then it is gone too.
        using (var response = await host.Http.DeleteAsync($"api/backups/{first}"))
            await AssertRefusedAsync(response, "newest", "force=true");
        using (var response = await host.Http.DeleteAsync($"api/backups/{first}?force=true"))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(Directory.Exists(Folder("del-replica", first)) && Directory.EnumerateFileSystemEntries(Folder("del-replica", first)).Any());
        Assert.Equal(0, await TotalAsync(configId));
        using (var again = await host.Http.DeleteAsync($"api/backups/{first}"))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task An_older_backup_is_deleted_without_force()
    {
        var site = SmallSite("del-old-site");
        var configId = await host.CreateConfigAsync(new
        {
            name = "older",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "del-old" },
        });
        var first = await BackUpAsync(configId);
        var second = await BackUpAsync(configId);

        using (var response = await host.Http.DeleteAsync($"api/backups/{first}"))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(Directory.Exists(Folder("del-old", first)) && Directory.EnumerateFileSystemEntries(Folder("del-old", first)).Any());
        Assert.True(Directory.EnumerateFiles(Folder("del-old", second)).Any());
    }

    [Fact]
    public async Task A_backup_being_restored_or_under_a_lock_is_refused_and_kept()
    {
        var site = SmallSite("del-held-site");
        var configId = await host.CreateConfigAsync(new
        {
            name = "held",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "del-held" },
        });
        var restored = await BackUpAsync(configId);
        await BackUpAsync(configId);
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();

        // A restore job reading it (pending, as a started restore is before its orchestration runs).
        var restoreJob = new RestoreJob { Id = RestoreJobsTable.NewId(DateTimeOffset.UtcNow), ConfigId = configId, BackupId = restored, CreatedAt = DateTimeOffset.UtcNow };
        Assert.True(await catalog.RestoreJobs.TryCreateAsync(restoreJob, CancellationToken.None));
        try
        {
            using var response = await host.Http.DeleteAsync($"api/backups/{restored}?force=true");
            await AssertRefusedAsync(response, "restoring", restoreJob.Id);
        }
        finally
        {
            await catalog.RestoreJobs.UpdateAsync(restoreJob.Id, j => j with { Status = RestoreJobStatus.Failed, CompletedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
        }

        // A copy on a location whose immutability still locks it (the lock is the location's days from completion).
        var locked = await host.CreateStorageAsync(new
        {
            name = "locked blobs",
            type = "azureBlob",
            settings = new { container = host.Container },
            immutability = new { enabled = true, days = 30 },
        });
        var record = (await catalog.Backups.GetAsync(restored, CancellationToken.None))!;
        var lockedId = restored + "-locked";
        await catalog.Backups.UpsertAsync(record with
        {
            Id = lockedId,
            CreatedAt = record.CreatedAt.AddSeconds(-1),
            Locations = [.. record.Locations.Select(l => l with
            {
                StorageId = locked,
                Destination = new StorageDestination { StorageId = locked, Prefix = "del-locked" },
                ManifestName = $"del-locked/backups/{lockedId}/manifest.json",
            })],
        }, CancellationToken.None);
        using (var response = await host.Http.DeleteAsync($"api/backups/{lockedId}?force=true"))
            await AssertRefusedAsync(response, "locked", "locked");
        Assert.NotNull(await catalog.Backups.GetAsync(lockedId, CancellationToken.None));
        Assert.True(Directory.EnumerateFiles(Folder("del-held", restored)).Any());
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string reason, string detailPart)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, body);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Contains(detailPart, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private async Task<long> TotalAsync(string configId)
    {
        var page = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups?configId={configId}&status=any");
        return page.GetProperty("totalCount").GetInt64();
    }

    private string Folder(string path, string backupId) => Path.Combine(host.LocalRoot, path, "backups", backupId);

    private string SmallSite(string name)
    {
        var root = host.Scratch(name);
        Directory.CreateDirectory(Path.Combine(root, "uploads"));
        Directory.CreateDirectory(Path.Combine(root, "config"));
        File.WriteAllText(Path.Combine(root, "uploads", "a.txt"), "a");
        File.WriteAllText(Path.Combine(root, "config", "settings.php"), "<?php\n");
        return root;
    }

    private Task<string> BackUpAsync(string configId) => JobPolling.BackUpAsync(host.Http, configId);
}
