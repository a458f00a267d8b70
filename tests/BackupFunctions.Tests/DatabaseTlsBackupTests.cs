using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// A backup over the API and its restore through the engine, as a role the test server admits over TLS only: every
/// connection on the way (Npgsql, pg_dump, pg_restore) was encrypted and verified (the config says nothing about TLS,
/// so verify-full against Postgres__SslRootCertFile), or the server would have turned it away.
/// </summary>
public sealed class DatabaseTlsBackupTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_backup_and_its_restore_reach_PostgreSQL_over_verified_TLS_only()
    {
        var source = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("tlscms"));
        var restoredDb = TestEnvironment.UniqueName("tlsrestored");
        var prefix = "tls-" + Guid.NewGuid().ToString("N")[..6];
        try
        {
            var configId = await host.CreateConfigAsync(new
            {
                name = "TLS only",
                database = new { host = source.Host, port = source.Port, database = source.Database, username = TestEnvironment.PostgresTlsOnlyUser },
                schedule = new { frequency = "manual" },
                storage = new { type = "azureBlob", container = host.Container, prefix },
            });
            using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
            Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());

            var target = TestEnvironment.Postgres(restoredDb) with { Username = TestEnvironment.PostgresTlsOnlyUser };
            var store = host.Host.Services.GetRequiredService<BackupStoreFactory>()
                .Create(new StorageDestination { Type = "azureBlob", Container = host.Container, Prefix = prefix });
            var result = await host.Host.Services.GetRequiredService<RestoreRunner>().RestoreAsync(
                new RestoreRequest(store, prefix, jobId, null, target), default);

            Assert.True(result.DatabaseRestored);
            var expected = await DatabaseSnapshot.TakeAsync(source);
            var actual = await DatabaseSnapshot.TakeAsync(TestEnvironment.Postgres(restoredDb));
            Assert.Equal(expected.Tables, actual.Tables);
            Assert.Equal(expected.Sequences, actual.Sequences);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(restoredDb);
            await SampleCms.DropDatabaseAsync(source.Database);
        }
    }
}
