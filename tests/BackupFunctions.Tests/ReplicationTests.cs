using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// A backup with a primary and replicas on real servers (local folder, vsftpd, sshd): every copy is written and
/// verified; a replica whose server is down makes the backup complete with a warning and an alert, and a retry
/// after the server is back makes the copy; a cancel while a replica is written leaves nothing on either copy.
/// </summary>
public sealed class ReplicationTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_config_with_three_destinations_backs_up_replicates_and_verifies_every_copy()
    {
        var prefix = TestEnvironment.UniqueName("site");
        var local = await host.CreateStorageAsync(new { name = "primary", type = "local", settings = new { path = "primary" } });
        var ftp = await CreateFtpAsync(FtpTestServer.Port);
        var sftp = await CreateSftpAsync();
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(Config(site, prefix, local, ftp, sftp));

        var (job, backup) = await BackupAsync(configId);

        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        Assert.Equal("completed", backup.GetProperty("status").GetString());
        var locations = backup.GetProperty("locations").EnumerateArray().ToList();
        Assert.Equal(["local", "ftp", "sftp"], locations.Select(l => l.GetProperty("type").GetString()));
        Assert.All(locations, l =>
        {
            Assert.Equal("ok", l.GetProperty("status").GetString());
            var verification = l.GetProperty("lastVerification");
            Assert.True(verification.GetProperty("ok").GetBoolean(), l.ToString());
            Assert.Equal("quick", verification.GetProperty("level").GetString());
            Assert.True(verification.GetProperty("objects").GetInt32() >= 3);
        });

        // The SFTP copy alone restores the site byte for byte.
        var services = host.Host.Services;
        var store = await services.GetRequiredService<StorageLocations>().OpenAsync(new StorageDestination { StorageId = sftp }, default);
        var restored = host.Scratch("restored");
        await services.GetRequiredService<RestoreRunner>().RestoreAsync(
            new RestoreRequest(store, prefix, backup.GetProperty("id").GetString()!, restored, null), default);
        Assert.Equal(FolderSnapshot.Take(site, FilesSource.DefaultComponents), FolderSnapshot.Take(restored));
    }

    [Fact]
    public async Task A_secondary_that_is_down_gives_a_warning_and_an_alert_and_a_retry_makes_the_copy()
    {
        await using var ftpServer = new TcpForwarder(FtpTestServer.Host, FtpTestServer.Port);
        var prefix = TestEnvironment.UniqueName("site");
        var local = await host.CreateStorageAsync(new { name = "primary", type = "local", settings = new { path = "primary2" } });
        var ftp = await CreateFtpAsync(ftpServer.Port);
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(Config(site, prefix, local, ftp));

        // The FTP server stops while the backup runs (its primary part is still being written: the copies come after).
        var (job, backup) = await BackupAsync(configId, whileRunning: ftpServer.PauseAsync);

        Assert.True(job.GetProperty("status").GetString() == "completed_with_warnings", job.ToString());
        Assert.Contains(job.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("ftp://", StringComparison.Ordinal));
        Assert.Equal("completed_with_warnings", backup.GetProperty("status").GetString());
        var ftpCopy = backup.GetProperty("locations")[1];
        Assert.Equal("failed", ftpCopy.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(ftpCopy.GetProperty("error").GetString()));
        Assert.True(backup.GetProperty("locations")[0].GetProperty("lastVerification").GetProperty("ok").GetBoolean());
        var backupId = backup.GetProperty("id").GetString()!;
        var alert = await AlertAsync(backupId, _ => true);
        Assert.Equal("replication_failed", alert.GetProperty("type").GetString());
        Assert.Equal("open", alert.GetProperty("status").GetString());

        ftpServer.Resume();
        using var retry = await host.Http.PostAsync($"api/backups/{backupId}/replicate", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);

        var after = await WaitAsync(backupId, b => b.GetProperty("status").GetString() == "completed");
        Assert.All(after.GetProperty("locations").EnumerateArray(), l => Assert.Equal("ok", l.GetProperty("status").GetString()));
        Assert.True(after.GetProperty("locations")[1].GetProperty("lastVerification").GetProperty("ok").GetBoolean());
        // The row says completed a moment before the alert is resolved: wait for it.
        Assert.Equal("resolved", (await AlertAsync(backupId, a => a.GetProperty("status").GetString() == "resolved")).GetProperty("status").GetString());

        using var again = await host.Http.PostAsync($"api/backups/{backupId}/replicate", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Cancelling_while_a_replica_is_written_leaves_no_objects_on_any_copy()
    {
        // The replica sits behind a slow link, so the copy step is still streaming when the cancel comes; by then the
        // primary holds a complete backup, manifest included.
        await using var slowLink = new TcpForwarder(SftpServer.Host, SftpServer.Port) { BytesPerSecond = 1_000_000 };
        var prefix = TestEnvironment.UniqueName("cancel");
        var local = await host.CreateStorageAsync(new { name = "primary", type = "local", settings = new { path = "primary-cancel" } });
        var replicaPath = TestEnvironment.UniqueName("replica");
        var sftp = await CreateSftpAsync(slowLink.Port, replicaPath);
        var configId = await host.CreateConfigAsync(Config(SampleCms.CreateSite(host.Scratch("site")), prefix, local, sftp));

        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        // Wait for the copy to begin writing on the replica (a hidden temporary file of the run is there), not for
        // currentStep to read "replicate": verification of the primary runs beside the copy and may write its own step
        // last. The copy starts only once the primary holds its manifest.
        using var client = SftpServer.Connect();
        while (!FilesUnder(client, replicaPath).Any(f => f.Contains(jobId, StringComparison.Ordinal)))
        {
            var running = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
            Assert.True(DateTime.UtcNow < deadline && running.GetProperty("status").GetString() is "pending" or "running",
                $"the copy never started writing on the replica: {running}");
            await Task.Delay(50);
        }
        var primary = await host.Host.Services.GetRequiredService<StorageLocations>().OpenAsync(new StorageDestination { StorageId = local }, default);
        var folder = ObjectNames.BackupFolder(prefix, jobId);
        Assert.Contains(await primary.ListAsync(folder, default).ToListAsync(), o => o.Name.EndsWith("manifest.json", StringComparison.Ordinal));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var cancel = await host.Http.PostAsync($"api/backup-jobs/{jobId}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(1));

        Assert.True(job.GetProperty("status").GetString() == "cancelled", job.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"cancelled after {clock.Elapsed}");
        Assert.Empty(await primary.ListAsync(folder, default).ToListAsync());
        // On the SFTP server itself, hidden temporary files included: nothing of the run.
        Assert.DoesNotContain(FilesUnder(client, replicaPath), f => f.Contains(jobId, StringComparison.Ordinal));
        using var backup = await host.Http.GetAsync($"api/backups/{jobId}");
        Assert.Equal(HttpStatusCode.NotFound, backup.StatusCode);
    }

    private static IEnumerable<string> FilesUnder(Renci.SshNet.SftpClient client, string path)
    {
        if (!client.Exists(path))
            yield break;
        foreach (var entry in client.ListDirectory(path).Where(e => e.Name is not ("." or "..")))
        {
            if (entry.IsDirectory)
            {
                foreach (var file in FilesUnder(client, entry.FullName))
                    yield return file;
            }
            else
                yield return entry.FullName;
        }
    }

    private static object Config(string site, string prefix, string primary, params string[] replicas) => new
    {
        name = "replicated site",
        files = new { root = site },
        schedule = new { frequency = "manual" },
        storage = new { storageId = primary, prefix },
        replicas = replicas.Select(id => new { storageId = id, prefix }).ToArray(),
    };

    private Task<string> CreateFtpAsync(int port) => host.CreateStorageAsync(new
    {
        name = "ftp replica",
        type = "ftp",
        settings = new { host = FtpTestServer.Host, port, user = FtpTestServer.User, path = FtpTestServer.BasePath },
        secrets = new { password = FtpTestServer.Password },
    });

    private Task<string> CreateSftpAsync(int? port = null, string? path = null) => host.CreateStorageAsync(new
    {
        name = "sftp replica",
        type = "sftp",
        settings = new { host = SftpServer.Host, port = port ?? SftpServer.Port, user = SftpServer.User, path = path ?? TestEnvironment.UniqueName("replica"), hostKeyFingerprint = SftpServer.HostKey },
        secrets = new { password = SftpServer.Password },
    });

    private async Task<(JsonElement Job, JsonElement Backup)> BackupAsync(string configId, Func<Task>? whileRunning = null)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        if (whileRunning is not null)
            await whileRunning();
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
        Assert.NotEqual("failed", job.GetProperty("status").GetString());
        return (job, await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{jobId}"));
    }

    private Task<JsonElement> WaitAsync(string backupId, Func<JsonElement, bool> done) =>
        JobPolling.WaitForBackupAsync(host.Http, backupId, done, TimeSpan.FromMinutes(2));

    private Task<JsonElement> AlertAsync(string backupId, Func<JsonElement, bool> done) =>
        JobPolling.WaitForAlertAsync(host.Http, backupId, done, TimeSpan.FromSeconds(30));
}
