using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// A live CMS writes while it is backed up. A log that keeps growing during the backup must not fail it: the backup
/// completes, stores the log as long as it was when opened, says so in the job, and restores exactly what its index says.
/// </summary>
public sealed class ChangingFilesBackupTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    private const string LogPath = "uploads/logs/debug.log";

    [Fact]
    public async Task A_log_growing_during_the_backup_completes_it_restores_as_its_index_says_and_is_named_by_the_job()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var log = Path.Combine(site, LogPath);
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        // Big enough that reading, compressing, encrypting and uploading it takes a while; the writer appends all along.
        await File.WriteAllBytesAsync(log, LogLines(0, 24 * 1024 * 1024));
        var prefix = "growing-" + Guid.NewGuid().ToString("N")[..6];
        var configId = await host.CreateConfigAsync(new
        {
            name = "live site",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix },
        });

        using var stopWriting = new CancellationTokenSource();
        var writer = Task.Run(() => AppendUntilCancelledAsync(log, stopWriting.Token));
        JsonElement job;
        try
        {
            using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
        }
        finally
        {
            await stopWriting.CancelAsync();
            await writer;
        }
        var appended = await writer;
        output.WriteLine($"the writer appended {appended} bytes during the backup; job: {job}");

        // Completed, not with warnings, and the job names the log.
        var backupId = job.GetProperty("id").GetString()!;
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        Assert.Empty(job.GetProperty("warnings").EnumerateArray());
        var changed = Assert.Single(job.GetProperty("changedFiles").EnumerateArray());
        Assert.Equal(LogPath, changed.GetProperty("path").GetString());
        Assert.Equal("grew", changed.GetProperty("change").GetString());
        Assert.Equal(1, job.GetProperty("changedFileCount").GetInt64());
        var logs = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{backupId}/logs?pageSize=100");
        Assert.Contains(logs.GetProperty("items").EnumerateArray(), e =>
            e.GetProperty("message").GetString() == "File changed while archived" && e.GetRawText().Contains(LogPath, StringComparison.Ordinal));
        var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{backupId}");
        Assert.Equal(1, backup.GetProperty("statistics").GetProperty("changedFiles").GetInt64());
        using (var alerts = await host.Http.GetAsync("api/backup-alerts"))
        {
            var body = await alerts.Content.ReadAsStringAsync();
            Assert.True(alerts.IsSuccessStatusCode, body);
            Assert.DoesNotContain(configId, body, StringComparison.Ordinal);
        }

        // The restore holds the log exactly as the index describes it: a prefix of the live log, no longer than at open.
        var index = await ReadIndexAsync(prefix, backupId);
        var entry = Assert.Single(index, e => e.Path == LogPath);
        var restored = host.Scratch("restored");
        await RestoreAsync(prefix, backupId, restored);
        var restoredLog = await File.ReadAllBytesAsync(Path.Combine(restored, LogPath));
        Assert.Equal(entry.Size, restoredLog.Length);
        Assert.Equal(entry.Sha256, Convert.ToHexStringLower(SHA256.HashData(restoredLog)));
        var live = await File.ReadAllBytesAsync(log);
        Assert.True(live.Length > restoredLog.Length, "the log grew after it was opened");
        Assert.Equal(live.AsSpan(0, restoredLog.Length).ToArray(), restoredLog);

        // Everything else byte for byte.
        var expected = FolderSnapshot.Take(site, ["uploads", "themes", "plugins", "config"]);
        var actual = FolderSnapshot.Take(restored);
        expected.Remove(LogPath);
        actual.Remove(LogPath);
        Assert.Equal(expected, actual);
    }

    /// <summary>Appends log lines until cancelled, flushing each; returns how many bytes it appended.</summary>
    private static async Task<long> AppendUntilCancelledAsync(string path, CancellationToken cancellationToken)
    {
        long appended = 0;
        await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        for (var line = 0; !cancellationToken.IsCancellationRequested; line++)
        {
            var bytes = Encoding.UTF8.GetBytes($"{DateTime.UtcNow:O} request {line} served in {line % 97} ms\n");
            await stream.WriteAsync(bytes, CancellationToken.None);
            await stream.FlushAsync(CancellationToken.None);
            appended += bytes.Length;
            try
            {
                await Task.Delay(1, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return appended;
    }

    private static byte[] LogLines(int first, int bytes)
    {
        var text = new StringBuilder(bytes + 100);
        for (var line = first; text.Length < bytes; line++)
            text.Append("2026-01-01T00:00:00Z request ").Append(line).Append(" served\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private IBackupStore Store(string prefix) => host.Host.Services.GetRequiredService<BackupStoreFactory>()
        .Create(new Core.Configs.StorageDestination { Type = "azureBlob", Container = host.Container, Prefix = prefix });

    /// <summary>The backup's file index, read with the host's key file.</summary>
    private async Task<IReadOnlyList<FileIndexEntry>> ReadIndexAsync(string prefix, string backupId)
    {
        var folder = ObjectNames.BackupFolder(prefix, backupId);
        var manifestBlob = new BlobContainerClient(TestEnvironment.AzuriteConnectionString, host.Container).GetBlobClient(folder + ObjectNames.Manifest);
        var manifest = ManifestFile.Read((await manifestBlob.DownloadContentAsync()).Value.Content.ToArray()).Manifest;
        var dataKey = await new LocalKeyFileKek(host.KeyFile).UnwrapAsync(manifest.Key!, default);
        var part = manifest.Objects.Single(o => o.Name == ObjectNames.Index);
        await using var index = await PartReader.OpenAsync(Store(prefix), folder + ObjectNames.Index, backupId, part, manifest, dataKey, default);
        return await FileIndex.ReadAsync(index, default);
    }

    private async Task RestoreAsync(string prefix, string backupId, string targetDir)
    {
        var runner = host.Host.Services.GetRequiredService<RestoreRunner>();
        await runner.RestoreAsync(new RestoreRequest(Store(prefix), prefix, backupId, targetDir, null), default);
    }
}
