using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using BackupCli;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// The cloud app is gone: its catalog tables are deleted. A backup it made is recovered with backupctl from the bare
/// destination folder and the key file alone.
/// </summary>
public sealed class DisasterRecoveryTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Backupctl_restores_an_app_backup_after_the_catalog_tables_were_deleted()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("drsource"));
        var restoredDb = TestEnvironment.UniqueName("drrestored");
        try
        {
            var site = SampleCms.CreateSite(host.Scratch("site"));
            var configId = await host.CreateConfigAsync(new
            {
                name = "disaster",
                database = new { host = db.Host, port = db.Port, database = db.Database, username = db.Username },
                files = new { root = site },
                schedule = new { frequency = "manual" },
                storage = new { type = "local", path = "dr", prefix = "site1" },
                compression = new { algorithm = "gzip", level = 6 },
                encryption = new { algorithm = "chacha20-poly1305" },
            });
            using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
            Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

            // The catalog is lost.
            var tables = new TableServiceClient(TestEnvironment.AzuriteConnectionString);
            await foreach (var table in tables.QueryAsync(t => t.Name.CompareTo(host.TablePrefix) >= 0 && t.Name.CompareTo(host.TablePrefix + "~") < 0))
                await tables.DeleteTableAsync(table.Name);
            using var gone = await host.Http.GetAsync($"api/backups/{jobId}");
            Assert.False(gone.IsSuccessStatusCode);

            var destination = new Uri(Path.Combine(host.LocalRoot, "dr", "site1")).AbsoluteUri;
            var ls = await RunCtlAsync("ls", "--from", destination, "--json");
            Assert.Contains(jobId, ls.Stdout, StringComparison.Ordinal);

            var target = host.Scratch("dr-restored");
            var restore = await RunCtlAsync("restore", "--from", destination, jobId, "--to-dir", target,
                "--to-db", $"Host={db.Host};Port={db.Port};Database={restoredDb};Username={db.Username};Root Certificate={TestEnvironment.PostgresRootCert}",
                "--key-file", host.KeyFile);
            Assert.True(restore.ExitCode == 0, restore.Stderr);

            Assert.Equal(FolderSnapshot.Take(site, Core.Configs.FilesSource.DefaultComponents), FolderSnapshot.Take(target));
            var expected = await DatabaseSnapshot.TakeAsync(db);
            var actual = await DatabaseSnapshot.TakeAsync(TestEnvironment.Postgres(restoredDb));
            Assert.Equal(expected.Tables, actual.Tables);
            Assert.Equal(expected.Sequences, actual.Sequences);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(db.Database);
            await SampleCms.DropDatabaseAsync(restoredDb);
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunCtlAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new Dictionary<string, string> { ["BACKUPCTL_PG_BIN"] = TestEnvironment.PostgresBinDirectory };
        var exit = await BackupCtl.RunAsync(args, stdout, stderr, environment);
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
