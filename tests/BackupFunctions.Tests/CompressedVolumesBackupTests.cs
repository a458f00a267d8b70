using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// Issue 14 item 3 through the orchestration (PlanBackup → ArchiveVolume per volume): the sample CMS's photo and video
/// (random bytes, already compressed for the classifier) go into a volume of their own stored with compression
/// <c>none</c>, recorded in the manifest; the text keeps zstd; the backup restores byte for byte.
/// </summary>
public sealed class CompressedVolumesBackupTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task The_media_of_a_site_are_stored_uncompressed_in_a_volume_of_their_own_and_the_backup_restores_byte_for_byte()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var prefix = "compressed-" + Guid.NewGuid().ToString("N")[..6];
        var configId = await host.CreateConfigAsync(new
        {
            name = "media",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix },
            compression = new { algorithm = "zstd", level = 3 },
            encryption = new { algorithm = "none" },
        });

        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
        output.WriteLine(job.ToString());
        Assert.Equal("completed", job.GetProperty("status").GetString());

        var services = host.Host.Services;
        var store = services.GetRequiredService<BackupStoreFactory>()
            .Create(new StorageDestination { Type = "azureBlob", Container = host.Container, Prefix = prefix });
        var folder = ObjectNames.BackupFolder(prefix, jobId);
        var manifest = (await StoredManifest.ReadAsync(store, folder, default)).Manifest.Manifest;
        Assert.Equal(BackupManifest.VolumesFormatVersion, manifest.FormatVersion);
        Assert.Equal("zstd", manifest.Compression);
        var volumes = ManifestVolumes.Of(manifest);
        Assert.Equal([null, "none"], volumes.Select(v => v.Compression));
        var indexPart = manifest.Objects.Single(o => o.Name == ObjectNames.Index);
        IReadOnlyList<FileIndexEntry> index;
        await using (var stream = await PartReader.OpenAsync(store, folder + indexPart.Name, jobId, indexPart, manifest, ReadOnlyMemory<byte>.Empty, default))
            index = await FileIndex.ReadAsync(stream, default);
        Assert.Equal(["uploads/2024/01/photo.jpg", "uploads/big/video.bin"],
            index.Where(e => e.Volume == volumes[1].Name).Select(e => e.Path));
        // Stored as it is: the volume is its tar, not a byte smaller.
        Assert.Equal(volumes[1].PlainSize, volumes[1].StoredSize);

        var restored = host.Scratch("restored-media");
        await services.GetRequiredService<RestoreRunner>().RestoreAsync(new RestoreRequest(store, prefix, jobId, restored, null) { AllowUnencrypted = true }, default);
        Assert.Equal(FolderSnapshot.Take(site, FilesSource.DefaultComponents), FolderSnapshot.Take(restored));
    }
}
