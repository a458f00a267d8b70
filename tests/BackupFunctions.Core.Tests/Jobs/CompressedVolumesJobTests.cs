using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// The service's steps (PlanFiles, ArchiveVolume, WriteManifest) with <c>Backups:StoreCompressedAsIs</c> on (the
/// default) and off: on, a photo goes into a volume stored with compression <c>none</c> and the plan's log says how
/// many such volumes; off, every volume has the config's compression. Real engine on Azurite, local destinations.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CompressedVolumesJobTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("true")]
    [InlineData("false")]
    public async Task The_setting_decides_whether_already_compressed_files_get_a_volume_stored_as_they_are(string? setting)
    {
        var engine = new JobEngine(setting is null ? null : new Dictionary<string, string?> { ["Backups:StoreCompressedAsIs"] = setting });
        await engine.InitializeAsync();
        try
        {
            var config = await engine.CreateConfigAsync("media");
            var site = config.Config.Files!.Root;
            Directory.CreateDirectory(Path.Combine(site, "uploads"));
            await File.WriteAllBytesAsync(Path.Combine(site, "uploads", "photo.jpg"), [0xFF, 0xD8, 0xFF, 0xE0, .. RandomNumberGenerator.GetBytes(200_000)]);
            await File.WriteAllTextAsync(Path.Combine(site, "uploads", "readme.txt"), string.Concat(Enumerable.Repeat("text\n", 20_000)), Encoding.UTF8);
            var job = await engine.CreateJobAsync(config.Id, JobStatus.Pending, TimeSpan.Zero, started: false);
            var runner = engine.Get<BackupRunner>();
            var plan = await runner.StartJobAsync(new BackupRequest(job.Id, config.Id), CancellationToken.None);
            var key = await runner.PrepareKeyAsync(plan, CancellationToken.None);

            var files = await runner.ArchiveFilesAsync(new PartInput(plan, key), CancellationToken.None);
            await runner.WriteManifestAsync(new ManifestInput(plan, key, null, files), CancellationToken.None);

            var store = new LocalFolderStore(Path.Combine(engine.LocalRoot, "media-primary"));
            var manifest = (await StoredManifest.ReadAsync(store, plan.Folder, CancellationToken.None)).Manifest.Manifest;
            var on = setting != "false";
            Assert.Equal("zstd", manifest.Compression);
            Assert.Equal(on ? new string?[] { null, "none" } : new string?[] { null }, ManifestVolumes.Of(manifest).Select(v => v.Compression));
            Assert.Equal(on ? BackupManifest.VolumesFormatVersion : BackupManifest.CurrentFormatVersion, manifest.FormatVersion);
            var planned = Assert.Single((await engine.Get<JobLogs>().ListAsync(plan.JobId, 100, null, CancellationToken.None)).Items, e => e.Message == "Files planned");
            Assert.Equal(on ? 1 : 0, planned.Context!["uncompressedVolumes"]!.GetValue<int>());
        }
        finally
        {
            await engine.DisposeAsync();
        }
    }
}
