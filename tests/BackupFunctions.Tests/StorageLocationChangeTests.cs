using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// PUT and DELETE /api/backup-storage/{id} and <c>enabled</c>: a rename and a rotated password (sealed, never shown)
/// reach the next open of the location's store although stores are kept open between runs; a disabled location takes no new run but its
/// backups stay readable; a location a config uses is not deleted.
/// </summary>
public sealed class StorageLocationChangeTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task A_rotated_password_is_sealed_never_shown_and_used_by_the_next_run()
    {
        var id = await host.CreateStorageAsync(new
        {
            name = "sftp before",
            type = "sftp",
            settings = new { host = SftpServer.Host, port = SftpServer.Port, user = SftpServer.User, path = TestEnvironment.UniqueName("rotated"), hostKeyFingerprint = SftpServer.HostKey },
            secrets = new { password = SftpServer.Password },
        });
        var configId = await ConfigAsync("rotating", new { storageId = id, prefix = "rot" });
        Assert.Equal("completed", (await RunAsync(configId)).GetProperty("status").GetString());

        const string wrong = "Not-The-Password-4242";
        using (var response = await PutAsync(id, new { secrets = new { password = wrong } }))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.DoesNotContain(wrong, body, StringComparison.Ordinal);
            Assert.Equal(["password"], JsonDocument.Parse(body).RootElement.GetProperty("secretsSet").EnumerateArray().Select(s => s.GetString()));
            Assert.NotEqual(JsonValueKind.Null, JsonDocument.Parse(body).RootElement.GetProperty("updatedAt").ValueKind);
        }
        var row = await new TableServiceClient(TestEnvironment.AzuriteConnectionString).GetTableClient(host.TablePrefix + "BackupStorage")
            .GetEntityAsync<TableEntity>("storage", id);
        Assert.DoesNotContain(wrong, row.Value.GetString("Secrets"), StringComparison.Ordinal);
        // The store the first run opened is not reused: the new (wrong) password is what the next open logs in with
        // (the same open every run step makes).
        var locations = host.Host.Services.GetRequiredService<StorageLocations>();
        var store = await locations.OpenAsync(new StorageDestination { StorageId = id, Prefix = "rot" }, CancellationToken.None);
        var refused = await Assert.ThrowsAsync<StoreException>(async () =>
        {
            await foreach (var _ in store.ListAsync("rot/", CancellationToken.None))
            {
            }
        });
        Assert.Equal(StoreFailureKind.Authentication, refused.Kind);

        using (var response = await PutAsync(id, new { name = "sftp after", secrets = new { password = SftpServer.Password } }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-storage/{id}");
        Assert.Equal("sftp after", view.GetProperty("name").GetString());
        Assert.Equal("sftp", view.GetProperty("type").GetString());
        var again = await RunAsync(configId);
        Assert.True(again.GetProperty("status").GetString() == "completed", again.ToString());
    }

    [Fact]
    public async Task A_refused_login_fails_the_run_at_once_saying_so()
    {
        var id = await host.CreateStorageAsync(new
        {
            name = "sftp refusing",
            type = "sftp",
            settings = new { host = SftpServer.Host, port = SftpServer.Port, user = SftpServer.User, path = TestEnvironment.UniqueName("refused"), hostKeyFingerprint = SftpServer.HostKey },
            secrets = new { password = "Not-The-Password-4242" },
        });
        var configId = await ConfigAsync("refused login", new { storageId = id, prefix = "ref" });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var job = await RunAsync(configId);
        Assert.True(job.GetProperty("status").GetString() == "failed", job.ToString());
        Assert.Contains("the login was refused", job.GetProperty("error").GetString(), StringComparison.Ordinal);
        // The clean-up could not log in either: what it left is named on the job instead of keeping the job running.
        var left = Assert.Single(job.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.Contains($"storage location {id}", left, StringComparison.Ordinal);
        Assert.Contains("could not be removed", left, StringComparison.Ordinal);
        // A refused login is not retried for minutes: retrying cannot fix a wrong password.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the run took {watch.Elapsed} to fail");
    }

    [Fact]
    public async Task A_disabled_location_takes_no_new_run_and_its_backups_stay_readable()
    {
        var id = await host.CreateStorageAsync(new { name = "switchable", type = "local", settings = new { path = "switchable" } });
        var configId = await ConfigAsync("switched", new { storageId = id });
        var first = await RunAsync(configId);
        Assert.Equal("completed", first.GetProperty("status").GetString());

        using (var response = await PutAsync(id, new { enabled = false }))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            Assert.False(JsonDocument.Parse(body).RootElement.GetProperty("enabled").GetBoolean());
        }
        var refused = await RunAsync(configId);
        Assert.True(refused.GetProperty("status").GetString() == "failed", refused.ToString());
        Assert.Contains("is disabled", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains(id, refused.GetProperty("error").GetString(), StringComparison.Ordinal);

        using (var download = await host.Http.GetAsync($"api/backups/{first.GetProperty("id").GetString()}/download"))
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);

        using (var response = await PutAsync(id, new { enabled = true }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", (await RunAsync(configId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_disabled_replica_is_left_out_with_a_warning_and_the_backup_completes_on_the_primary()
    {
        var replicaPath = TestEnvironment.UniqueName("replica");
        var replica = await host.CreateStorageAsync(new { name = "switchable replica", type = "local", settings = new { path = replicaPath } });
        var site = host.Scratch(TestEnvironment.UniqueName("site"));
        Directory.CreateDirectory(Path.Combine(site, "config"));
        File.WriteAllText(Path.Combine(site, "config", "settings.php"), "<?php\n");
        var configId = await host.CreateConfigAsync(new
        {
            name = "with a replica",
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = TestEnvironment.UniqueName("primary") },
            replicas = new[] { new { storageId = replica } },
        });
        using (var response = await PutAsync(replica, new { enabled = false }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        var job = await RunAsync(configId);
        Assert.True(job.GetProperty("status").GetString() == "completed_with_warnings", job.ToString());
        var warning = Assert.Single(job.GetProperty("warnings").EnumerateArray()).GetString();
        Assert.Contains("is disabled", warning, StringComparison.Ordinal);
        Assert.Contains(replica, warning, StringComparison.Ordinal);
        var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{job.GetProperty("backupId").GetString()}");
        var copies = backup.GetProperty("locations").EnumerateArray().ToList();
        Assert.Equal(["ok", "failed"], copies.Select(c => c.GetProperty("status").GetString()));
        // Nothing was written to the disabled location.
        var replicaFolder = Path.Combine(host.LocalRoot, replicaPath);
        Assert.False(Directory.Exists(replicaFolder) && Directory.EnumerateFiles(replicaFolder, "*", SearchOption.AllDirectories).Any());

        using (var response = await PutAsync(replica, new { enabled = true }))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("completed", (await RunAsync(configId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_location_in_use_is_not_deleted_and_an_unused_one_is()
    {
        var used = await host.CreateStorageAsync(new { name = "used", type = "local", settings = new { path = "used" } });
        var configId = await ConfigAsync("user of a location", new { storageId = used });
        using (var response = await host.Http.DeleteAsync($"api/backup-storage/{used}"))
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, body);
            Assert.Equal("in_use", JsonDocument.Parse(body).RootElement.GetProperty("reason").GetString());
            Assert.Contains(configId, body, StringComparison.Ordinal);
        }
        using (var still = await host.Http.GetAsync($"api/backup-storage/{used}"))
            Assert.Equal(HttpStatusCode.OK, still.StatusCode);

        var unused = await host.CreateStorageAsync(new { name = "unused", type = "local", settings = new { path = "unused" } });
        using (var response = await host.Http.DeleteAsync($"api/backup-storage/{unused}"))
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using (var gone = await host.Http.GetAsync($"api/backup-storage/{unused}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var again = await host.Http.DeleteAsync($"api/backup-storage/{unused}"))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Theory]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":"a\u0007b"}""", "name")]
    [InlineData("""{"maxSizeBytes":0}""", "maxSizeBytes")]
    [InlineData("""{"secrets":{"token":"x"}}""", "secrets.token")]
    [InlineData("""{"secrets":{"password":""}}""", "secrets.password")]
    [InlineData("""{"settings":{"path":"elsewhere"}}""", "settings")]
    [InlineData("""{"type":"local"}""", "type")]
    [InlineData("""{"enabled":"no"}""", "enabled")]
    public async Task A_bad_change_is_refused_naming_the_field_and_changes_nothing(string json, string field)
    {
        var id = await host.CreateStorageAsync(new
        {
            name = "unchanged",
            type = "sftp",
            settings = new { host = SftpServer.Host, port = SftpServer.Port, user = SftpServer.User, hostKeyFingerprint = SftpServer.HostKey },
            secrets = new { password = "p" },
        });
        using var response = await host.Http.PutAsync($"api/backup-storage/{id}", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await ProblemAssert.NamesFieldAsync(response, field);
        var view = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-storage/{id}");
        Assert.Equal("unchanged", view.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("updatedAt").ValueKind);
    }

    [Fact]
    public async Task Changing_an_unknown_location_is_not_found()
    {
        using var response = await PutAsync("stg-000000000000000000000000", new { name = "x" });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private Task<HttpResponseMessage> PutAsync(string id, object body) => host.Http.PutAsJsonAsync($"api/backup-storage/{id}", body);

    private async Task<string> ConfigAsync(string name, object storage)
    {
        var site = host.Scratch(TestEnvironment.UniqueName("site"));
        Directory.CreateDirectory(Path.Combine(site, "config"));
        File.WriteAllText(Path.Combine(site, "config", "settings.php"), "<?php\n");
        return await host.CreateConfigAsync(new { name, files = new { root = site }, schedule = new { frequency = "manual" }, storage });
    }

    /// <summary>Starts a backup and waits for its job to end; the job.</summary>
    private async Task<JsonElement> RunAsync(string configId)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        var jobId = JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
        return await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
    }
}
