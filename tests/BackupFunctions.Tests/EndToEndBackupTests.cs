using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// The whole product through its front door: a config and a backup started over real HTTP on the local host, run by
/// the Durable orchestration against real PostgreSQL and Azurite, then restored and compared byte for byte.
/// </summary>
public sealed class EndToEndBackupTests(LocalHostFixture host, ITestOutputHelper output) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Full_backup_over_http_restores_byte_for_byte()
    {
        var cms = await NewCmsAsync();
        try
        {
            var configId = await host.CreateConfigAsync(ConfigFor(cms, "site1"));

            var started = Stopwatch.StartNew();
            using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            Assert.Equal($"/api/backup-jobs/{jobId}", response.Headers.Location?.ToString());

            var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
            started.Stop();
            Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
            var progress = job.GetProperty("progress");
            Assert.Equal(100, progress.GetProperty("percentage").GetDouble());
            Assert.Equal(progress.GetProperty("totalFiles").GetInt64(), progress.GetProperty("processedFiles").GetInt64());
            Assert.Equal(progress.GetProperty("totalBytes").GetInt64(), progress.GetProperty("processedBytes").GetInt64());
            Assert.Equal(jobId, job.GetProperty("backupId").GetString());
            output.WriteLine($"backup job {jobId}: {started.Elapsed.TotalSeconds:F1} s wall, job duration {job.GetProperty("durationSeconds")} s, " +
                             $"process peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MiB");

            var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{jobId}");
            var statistics = backup.GetProperty("statistics");
            Assert.Equal(8, statistics.GetProperty("files").GetInt64());
            Assert.Equal(3, statistics.GetProperty("databaseTables").GetInt32());
            Assert.True(backup.GetProperty("compressionRatio").GetDouble() > 1.0);
            Assert.Matches("^[0-9a-f]{64}$", backup.GetProperty("checksum").GetString());
            var list = await host.Http.GetFromJsonAsync<JsonElement>("api/backups?pageSize=10");
            Assert.Contains(list.GetProperty("items").EnumerateArray(), b => b.GetProperty("id").GetString() == jobId);

            var restoredDir = host.Scratch("restored-site");
            var restoredDb = TestEnvironment.UniqueName("restored");
            try
            {
                var result = await RestoreAsync("site1", jobId, restoredDir, TestEnvironment.Postgres(restoredDb));
                Assert.Equal(8, result.Files);

                Assert.Equal(
                    FolderSnapshot.Take(cms.SiteRoot, FilesSource.DefaultComponents),
                    FolderSnapshot.Take(restoredDir));
                Assert.False(File.Exists(Path.Combine(restoredDir, "cache", "ignored.tmp")));

                var expected = await DatabaseSnapshot.TakeAsync(cms.Database);
                var actual = await DatabaseSnapshot.TakeAsync(TestEnvironment.Postgres(restoredDb));
                Assert.Equal(expected.Tables, actual.Tables);
                Assert.Equal(expected.Sequences, actual.Sequences);
                Assert.Equal("1234:true", actual.Sequences["invoice_numbers"]);
                Assert.Equal(expected.Views, actual.Views);
                Assert.Contains(actual.Views, v => v.StartsWith("published_posts:", StringComparison.Ordinal));
                Assert.Equal(expected.Indexes, actual.Indexes);
            }
            finally
            {
                await SampleCms.DropDatabaseAsync(restoredDb);
            }
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Theory]
    [InlineData(ObjectNames.Database)]
    [InlineData(ObjectNames.FirstFilesVolume)]
    [InlineData(ObjectNames.Index)]
    public async Task A_flipped_byte_in_a_stored_part_fails_the_restore_naming_the_part_and_writes_nothing(string part)
    {
        var cms = await NewCmsAsync();
        var prefix = "tamper-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            var configId = await host.CreateConfigAsync(ConfigFor(cms, prefix));
            using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
            Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

            var blob = new BlobContainerClient(TestEnvironment.AzuriteConnectionString, host.Container)
                .GetBlobClient(ObjectNames.BackupFolder(prefix, jobId) + part);
            var content = (await blob.DownloadContentAsync()).Value.Content.ToArray();
            content[content.Length / 2] ^= 0x01;
            await blob.UploadAsync(new BinaryData(content), overwrite: true);

            var restoredDir = host.Scratch("tampered-site");
            var restoredDb = TestEnvironment.UniqueName("tampered");
            var error = await Assert.ThrowsAsync<IntegrityException>(
                () => RestoreAsync(prefix, jobId, restoredDir, TestEnvironment.Postgres(restoredDb)));
            Assert.EndsWith("/" + part, error.ObjectName, StringComparison.Ordinal);
            Assert.Contains(part, error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(restoredDir), "the target folder must not be created");
            Assert.False(await host.Host.Services.GetRequiredService<PostgresRestorer>()
                .DatabaseExistsAsync(TestEnvironment.Postgres(restoredDb), default), "the target database must not be created");
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Fact]
    public async Task A_failing_database_fails_the_job_with_the_cause_and_leaves_no_objects()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var prefix = "fail-" + Guid.NewGuid().ToString("N")[..6];
        var configId = await host.CreateConfigAsync(new
        {
            name = "unreachable database",
            database = new { host = "127.0.0.1", port = 1, database = "nope", username = "postgres" },
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix },
        });

        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));

        Assert.Equal("failed", job.GetProperty("status").GetString());
        var error = job.GetProperty("error").GetString()!;
        Assert.Contains("DumpDatabase", error, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:1", error, StringComparison.Ordinal);
        Assert.True(job.TryGetProperty("completedAt", out var completedAt) && completedAt.ValueKind == JsonValueKind.String);

        var store = host.Host.Services.GetRequiredService<BackupStoreFactory>()
            .Create(new StorageDestination { Type = "azureBlob", Container = host.Container, Prefix = prefix });
        Assert.Empty(await store.ListAsync(ObjectNames.BackupFolder(prefix, jobId), default).ToListAsync());
        using var missing = await host.Http.GetAsync($"api/backups/{jobId}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<RestoreResult> RestoreAsync(string prefix, string backupId, string targetDir, PostgresConnectionInfo targetDb)
    {
        var services = host.Host.Services;
        var store = services.GetRequiredService<BackupStoreFactory>()
            .Create(new StorageDestination { Type = "azureBlob", Container = host.Container, Prefix = prefix });
        return await services.GetRequiredService<RestoreRunner>().RestoreAsync(
            new RestoreRequest(store, prefix, backupId, targetDir, targetDb), default);
    }

    private async Task<(PostgresConnectionInfo Database, string SiteRoot)> NewCmsAsync()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("cms"));
        return (db, SampleCms.CreateSite(host.Scratch("site")));
    }

    private object ConfigFor((PostgresConnectionInfo Database, string SiteRoot) cms, string prefix) => new
    {
        name = "Demo CMS",
        database = new { host = cms.Database.Host, port = cms.Database.Port, database = cms.Database.Database, username = cms.Database.Username },
        files = new { root = cms.SiteRoot },
        schedule = new { frequency = "manual" },
        storage = new { type = "azureBlob", container = host.Container, prefix },
        compression = new { algorithm = "zstd", level = 3 },
    };
}
