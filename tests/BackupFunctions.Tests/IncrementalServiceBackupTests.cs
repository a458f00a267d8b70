using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Xunit.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// A config of type incremental, run by the service (the orchestration's PlanBackup → ArchiveVolume × N → AssembleIndex
/// → manifest): the first run is full and says why, the next stores only what changed and points at the first, and
/// after fullEvery incrementals a full one comes again.
/// </summary>
public sealed class IncrementalServiceBackupTests(VolumesHostFixture host, ITestOutputHelper output) : IClassFixture<VolumesHostFixture>
{
    [Fact]
    public async Task Runs_of_an_incremental_config_are_full_then_incremental_on_the_newest_then_full_after_full_every()
    {
        var site = host.Scratch("incremental-site");
        for (var i = 0; i < 300; i++)
        {
            var path = Path.Combine(site, "uploads", $"d{i % 5}", $"f{i:D3}.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, $"file {i} " + new string('x', i));
        }
        var prefix = "incremental-" + Guid.NewGuid().ToString("N")[..6];
        var configId = await host.CreateConfigAsync(new
        {
            name = "incremental",
            type = "incremental",
            incremental = new { fullEvery = 1 },
            files = new { root = site, components = new[] { "uploads" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix },
            encryption = new { algorithm = "aes-256-gcm" },
        });

        var first = await RunAsync(configId);
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "d1", "f001.txt"), "changed");
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "d2", "new.txt"), "new");
        File.Delete(Path.Combine(site, "uploads", "d3", "f003.txt"));
        var second = await RunAsync(configId);
        var third = await RunAsync(configId);

        var firstManifest = await ManifestAsync(prefix, first);
        Assert.Equal("files", firstManifest.GetProperty("type").GetString()); // a full backup of a files-only config
        Assert.Contains(await LogAsync(first), e => e.Message == "Full backup instead of incremental"
            && e.Context.Contains("no earlier backup of this config holds files", StringComparison.Ordinal));

        var secondManifest = await ManifestAsync(prefix, second);
        Assert.Equal("incremental", secondManifest.GetProperty("type").GetString());
        Assert.Equal(first, secondManifest.GetProperty("baseBackupId").GetString());
        var statistics = secondManifest.GetProperty("statistics");
        Assert.Equal(1, statistics.GetProperty("addedFiles").GetInt64());
        Assert.Equal(1, statistics.GetProperty("modifiedFiles").GetInt64());
        Assert.Equal(1, statistics.GetProperty("deletedFiles").GetInt64());
        Assert.Equal(298, statistics.GetProperty("unchangedFiles").GetInt64());
        Assert.Equal(300, statistics.GetProperty("files").GetInt64());
        var reference = Assert.Single(secondManifest.GetProperty("references").EnumerateArray());
        Assert.Equal(first, reference.GetProperty("backupId").GetString());
        // The first backup has several volumes (130 entries each) and the unchanged files are spread over all of them.
        var firstVolumes = firstManifest.GetProperty("objects").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "files").ToList();
        Assert.True(firstVolumes.Count >= 3, $"{firstVolumes.Count} volumes");
        Assert.Equal(firstVolumes.Select(v => JsonSerializer.Serialize(v)), reference.GetProperty("objects").EnumerateArray().Select(v => JsonSerializer.Serialize(v)));
        // Its own volumes hold only the folders and the two files that changed.
        var ownVolumes = secondManifest.GetProperty("objects").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "files").ToList();
        Assert.Single(ownVolumes);
        Assert.Contains(await LogAsync(second), e => e.Message == "Incremental backup");

        // fullEvery 1: after one incremental the next run is full again.
        var thirdManifest = await ManifestAsync(prefix, third);
        Assert.Equal("files", thirdManifest.GetProperty("type").GetString());
        Assert.Contains(await LogAsync(third), e => e.Message == "Full backup instead of incremental"
            && e.Context.Contains("1 incremental backups since the last full one (fullEvery 1)", StringComparison.Ordinal));
    }

    private async Task<string> RunAsync(string configId)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        response.EnsureSuccessStatusCode();
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(5));
        output.WriteLine(job.ToString());
        Assert.Equal("completed", job.GetProperty("status").GetString());
        return jobId;
    }

    private async Task<JsonElement> ManifestAsync(string prefix, string backupId)
    {
        var container = new BlobContainerClient(TestEnvironment.AzuriteConnectionString, host.Container);
        var content = (await container.GetBlobClient($"{prefix}/backups/{backupId}/{ObjectNames.Manifest}").DownloadContentAsync()).Value.Content;
        return JsonDocument.Parse(content.ToArray()).RootElement.GetProperty("manifest").Clone();
    }

    private async Task<IReadOnlyList<(string Message, string Context)>> LogAsync(string jobId)
    {
        var log = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}/logs?pageSize=100");
        return [.. log.GetProperty("items").EnumerateArray().Select(e => (e.GetProperty("message").GetString()!, e.TryGetProperty("context", out var c) ? c.ToString() : ""))];
    }
}
