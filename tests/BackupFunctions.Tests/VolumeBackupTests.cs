using System.Formats.Tar;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Xunit.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// A site bigger than a volume is written by the orchestration as several volumes (PlanBackup → ArchiveVolume per volume,
/// at most MaxParallelVolumes at once → AssembleIndex), each a standalone tar, with one index listing the volumes' entries
/// volume by volume. Checked with the low-level readers (tar, index), not the restore (its multi-volume side is built apart).
/// </summary>
public sealed class VolumeBackupTests(VolumesHostFixture host, ITestOutputHelper output) : IClassFixture<VolumesHostFixture>
{
    [Fact]
    public async Task A_1000_file_site_backs_up_into_8_volumes_each_a_tar_in_walk_order_with_one_index_in_volume_order()
    {
        // uploads/ + 10 folders + 1,000 files = 1,011 entries: 8 volumes of at most 130.
        var site = host.Scratch("site");
        var expected = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        for (var folder = 0; folder < 10; folder++)
        {
            Directory.CreateDirectory(Path.Combine(site, "uploads", $"f{folder:D2}"));
            for (var file = 0; file < 100; file++)
            {
                var name = $"uploads/f{folder:D2}/file{file:D3}.txt";
                var content = RandomNumberGenerator.GetBytes(100 + file);
                await File.WriteAllBytesAsync(Path.Combine(site, name), content);
                expected[name] = content;
            }
        }
        var prefix = "volumes-" + Guid.NewGuid().ToString("N")[..6];
        var configId = await host.CreateConfigAsync(new
        {
            name = "volumes",
            files = new { root = site, components = new[] { "uploads" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix },
            compression = new { algorithm = "none" },
            encryption = new { algorithm = "none" },
        });

        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(5));
        output.WriteLine(job.ToString());
        // Committed, recorded, and its copy verified by the version-2 readers.
        Assert.Equal("completed", job.GetProperty("status").GetString());
        Assert.Equal(1000, job.GetProperty("progress").GetProperty("processedFiles").GetInt64());

        // The objects: 8 volumes, the index and the manifest; the plan and the volumes' own indexes are gone.
        var container = new BlobContainerClient(TestEnvironment.AzuriteConnectionString, host.Container);
        var folderName = $"{prefix}/backups/{jobId}/";
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, folderName, CancellationToken.None))
            names.Add(blob.Name[folderName.Length..]);
        var volumes = Enumerable.Range(1, 8).Select(ObjectNames.FilesVolume).ToList();
        Assert.Equal(volumes.Append(ObjectNames.Index).Append(ObjectNames.Manifest).Order(StringComparer.Ordinal), names.Order(StringComparer.Ordinal));

        using var manifestFile = JsonDocument.Parse((await container.GetBlobClient(folderName + ObjectNames.Manifest).DownloadContentAsync()).Value.Content.ToArray());
        var manifest = manifestFile.RootElement.GetProperty("manifest");
        Assert.Equal(BackupWriter.MultiVolumeFormatVersion, manifest.GetProperty("formatVersion").GetInt32());
        var objects = manifest.GetProperty("objects").EnumerateArray().ToDictionary(o => o.GetProperty("name").GetString()!);
        Assert.Equal(volumes.Append(ObjectNames.Index), objects.Keys);

        // Each object is what the manifest says (size, SHA-256); the index lists the volumes' entries volume by volume.
        var blobs = new Dictionary<string, byte[]>();
        foreach (var name in objects.Keys)
        {
            var bytes = (await container.GetBlobClient(folderName + name).DownloadContentAsync()).Value.Content.ToArray();
            Assert.Equal(objects[name].GetProperty("storedSize").GetInt64(), bytes.LongLength);
            Assert.Equal(objects[name].GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            blobs[name] = bytes;
        }
        var index = await FileIndex.ReadAsync(new MemoryStream(blobs[ObjectNames.Index]), default);
        Assert.Equal(1011, index.Count);
        Assert.Equal(index.Select(e => e.Volume).Order(StringComparer.Ordinal), index.Select(e => e.Volume)); // volume order
        Assert.Equal(index.Select(e => e.Path).Order(StringComparer.Ordinal), index.Select(e => e.Path)); // one walk, cut in order
        Assert.Equal(index.Count, index.Select(e => e.Path).Distinct().Count()); // every entry in exactly one volume

        foreach (var volume in volumes)
            Assert.InRange(index.Count(e => e.Volume == volume), 1, VolumesHostFixture.EntriesPerVolume);
        // Each volume is a standalone tar holding exactly its index entries, in the index's order, with those hashes.
        await StoredVolumes.AssertHoldExactlyAsync(index, volumes, blobs, expected);

        // Orchestration history carries the volume count and small numbers, never the plan's entries.
        Assert.DoesNotContain(host.History.Payloads, p => p.Contains("file050.txt", StringComparison.Ordinal));
    }
}
