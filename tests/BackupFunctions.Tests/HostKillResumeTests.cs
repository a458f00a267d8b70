using System.Formats.Tar;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Xunit.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// Issue 14's done-when: killing the host during a 1,000-file, 8-volume backup and starting it again completes the job
/// without rewriting the volumes finished before the kill. The local host runs as its own process with its Durable
/// backend in Azure Storage (Azurite), so the orchestration's history outlives the process and is replayed.
/// </summary>
public sealed class HostKillResumeTests(ITestOutputHelper output)
{
    private const int EntriesPerVolume = 130;

    [Fact]
    public async Task A_host_killed_after_two_volumes_and_started_again_completes_the_backup_without_rewriting_them()
    {
        using var folder = new TempFolder("bf-kill-");
        var scratch = folder.Combine("scratch");
        var site = Path.Combine(scratch, "site");
        var expected = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        for (var f = 0; f < 10; f++)
        {
            Directory.CreateDirectory(Path.Combine(site, "uploads", $"f{f:D2}"));
            for (var file = 0; file < 100; file++)
            {
                var name = $"uploads/f{f:D2}/file{file:D3}.txt";
                var content = RandomNumberGenerator.GetBytes(100 + file);
                await File.WriteAllBytesAsync(Path.Combine(site, name), content);
                expected[name] = content;
            }
        }
        Directory.CreateDirectory(folder.Combine("stores"));
        LocalKeyFileKek.Create(folder.Combine("backup.key"));
        var taskHub = "kill" + Guid.NewGuid().ToString("N")[..12];
        var container = "backups-" + Guid.NewGuid().ToString("N")[..10];
        var settings = new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = TestEnvironment.AzuriteConnectionString,
            ["Catalog__ConnectionString"] = TestEnvironment.AzuriteConnectionString,
            ["Catalog__TablePrefix"] = "t" + Guid.NewGuid().ToString("N")[..10],
            ["Storage__BlobConnection"] = TestEnvironment.AzuriteConnectionString,
            ["Storage__LocalRoot"] = folder.Combine("stores"),
            ["Keys__LocalKeyFile"] = folder.Combine("backup.key"),
            ["Secrets__SealingKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Network__AllowedRanges"] = "127.0.0.0/8",
            ["Files__AllowedRoots"] = scratch,
            // uploads/ + 10 folders + 1,000 files = 1,011 entries: 8 volumes, written one after the other.
            ["Backups__VolumeMaxFiles"] = EntriesPerVolume.ToString(CultureInfo.InvariantCulture),
            ["Backups__MaxParallelVolumes"] = "1",
            ["LocalHost__DurableBackend"] = "azureStorage",
            ["LocalHost__TaskHub"] = taskHub,
            // The activity running at the kill is hidden from the next host until this passes.
            ["LocalHost__MessageVisibilitySeconds"] = "15",
            // Each volume waits before it writes, so the kill lands while volume 3 waits, none half-written.
            ["LocalHost__TestOnlyVolumeDelayMilliseconds"] = "3000",
        };
        var history = new TableClient(TestEnvironment.AzuriteConnectionString, taskHub + "History");
        var blobs = new BlobContainerClient(TestEnvironment.AzuriteConnectionString, container);

        string jobId;
        const string prefix = "kill";
        Dictionary<string, BlobProperties> beforeKill;
        var first = await LocalHostProcess.StartAsync(settings, folder.Path, TimeSpan.FromMinutes(2));
        try
        {
            using var http = new HttpClient { BaseAddress = first.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
            using (var created = await http.PostAsJsonAsync("api/backup-configs", new
            {
                name = "kill-resume",
                files = new { root = site, components = new[] { "uploads" } },
                schedule = new { frequency = "manual" },
                storage = new { type = "azureBlob", container, prefix },
                compression = new { algorithm = "none" },
                encryption = new { algorithm = "none" },
            }))
            {
                var body = await created.Content.ReadAsStringAsync();
                Assert.True(created.StatusCode == System.Net.HttpStatusCode.Created, body);
                var configId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
                using var started = await http.PostAsJsonAsync("api/backups", new { configId });
                jobId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            }

            // With one volume at a time, the third ArchiveVolume is scheduled in the same history checkpoint that
            // records the second's result: from then on, volumes 1 and 2 are in history and volume 3 is waiting.
            var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (await ScheduledVolumesAsync(history) < 3)
            {
                Assert.True(DateTime.UtcNow < deadline, "the third volume was not scheduled within 2 minutes:\n" + first.Output);
                await Task.Delay(100);
            }
            beforeKill = await VolumesAsync(blobs, $"{prefix}/backups/{jobId}/");
            await first.KillAsync();
        }
        finally
        {
            output.WriteLine("--- first host ---\n" + first.Output);
            await first.DisposeAsync();
        }
        output.WriteLine($"killed with {beforeKill.Count} volumes written: {string.Join(", ", beforeKill.Keys)}");
        Assert.True(beforeKill.Count >= 2, $"only {beforeKill.Count} volumes were written before the kill");
        Assert.True(beforeKill.Count < 8, "every volume was written before the kill");

        var second = await LocalHostProcess.StartAsync(settings, folder.Path, TimeSpan.FromMinutes(2));
        JsonElement job;
        int scheduledVolumes;
        try
        {
            using var http = new HttpClient { BaseAddress = second.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
            job = await JobPolling.WaitForJobAsync(http, jobId, TimeSpan.FromMinutes(5));
            scheduledVolumes = await ScheduledVolumesAsync(history);
        }
        finally
        {
            output.WriteLine("--- second host ---\n" + second.Output);
            await second.DisposeAsync();
            // The task hub's queues, tables and lease container go; the run's Azurite is shared by other tests.
            await new DurableTask.AzureStorage.AzureStorageOrchestrationService(new DurableTask.AzureStorage.AzureStorageOrchestrationServiceSettings
            {
                TaskHubName = taskHub,
                StorageAccountClientProvider = new DurableTask.AzureStorage.StorageAccountClientProvider(TestEnvironment.AzuriteConnectionString),
            }).DeleteAsync();
        }
        output.WriteLine(job.ToString());
        Assert.Equal("completed", job.GetProperty("status").GetString());
        // The volume that ran at the kill had not counted its files yet; the resumed job counts each file once.
        Assert.Equal(1000, job.GetProperty("progress").GetProperty("processedFiles").GetInt64());

        // The volumes written before the kill are the same blobs: not written again (a rewrite changes the ETag and
        // the last-modified time), and their results came from history (each volume scheduled once).
        var folderName = $"{prefix}/backups/{jobId}/";
        var after = await VolumesAsync(blobs, folderName);
        foreach (var (name, properties) in beforeKill)
        {
            Assert.Equal(properties.ETag, after[name].ETag);
            Assert.Equal(properties.LastModified, after[name].LastModified);
            Assert.Equal(properties.CreatedOn, after[name].CreatedOn);
        }
        Assert.Equal(8, scheduledVolumes);

        // The backup is complete: 8 volumes, the index and the manifest; every object as the manifest says.
        var names = new List<string>();
        await foreach (var blob in blobs.GetBlobsAsync(BlobTraits.None, BlobStates.None, folderName, CancellationToken.None))
            names.Add(blob.Name[folderName.Length..]);
        var volumes = Enumerable.Range(1, 8).Select(ObjectNames.FilesVolume).ToList();
        Assert.Equal(volumes.Append(ObjectNames.Index).Append(ObjectNames.Manifest).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));
        using var manifestFile = JsonDocument.Parse((await blobs.GetBlobClient(folderName + ObjectNames.Manifest).DownloadContentAsync()).Value.Content.ToArray());
        var objects = manifestFile.RootElement.GetProperty("manifest").GetProperty("objects").EnumerateArray()
            .ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(volumes.Append(ObjectNames.Index), objects.Keys);
        var stored = new Dictionary<string, byte[]>();
        foreach (var name in objects.Keys)
        {
            var bytes = (await blobs.GetBlobClient(folderName + name).DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(objects[name].GetProperty("storedSize").GetInt64(), bytes.LongLength);
            Assert.Equal(objects[name].GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            stored[name] = bytes;
        }

        // Every file is in exactly one volume with its bytes, as the index says.
        var index = await FileIndex.ReadAsync(new MemoryStream(stored[ObjectNames.Index]), default);
        Assert.Equal(1011, index.Count);
        Assert.Equal(index.Count, index.Select(e => e.Path).Distinct().Count());
        await StoredVolumes.AssertHoldExactlyAsync(index, volumes, stored, expected);
    }

    /// <summary>How many ArchiveVolume activities the orchestration has scheduled, read from its history table.</summary>
    private static async Task<int> ScheduledVolumesAsync(TableClient history)
    {
        var count = 0;
        try
        {
            await foreach (var row in history.QueryAsync<TableEntity>(
                               $"EventType eq 'TaskScheduled' and Name eq '{FunctionNames.ArchiveVolume}'", select: ["EventType"]))
                count++;
        }
        catch (Azure.RequestFailedException e) when (e.Status == 404)
        {
            // The task hub's tables are created when the host starts.
        }
        return count;
    }

    private static async Task<Dictionary<string, BlobProperties>> VolumesAsync(BlobContainerClient blobs, string folderName)
    {
        var volumes = new Dictionary<string, BlobProperties>(StringComparer.Ordinal);
        await foreach (var blob in blobs.GetBlobsAsync(BlobTraits.None, BlobStates.None, folderName + "files-", CancellationToken.None))
        {
            var name = blob.Name[folderName.Length..];
            if (name.EndsWith(".part", StringComparison.Ordinal))
                volumes[name] = (await blobs.GetBlobClient(blob.Name).GetPropertiesAsync()).Value;
        }
        return volumes;
    }
}
