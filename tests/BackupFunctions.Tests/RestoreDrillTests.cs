using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Npgsql;

namespace BackupFunctions.Tests;

/// <summary>
/// Restore drills through the HTTP API of the local host, against real PostgreSQL and Azurite: a backup is made with
/// the config's checks recorded in its manifest, then <c>POST /api/backup-configs/{id}/restore-drill</c> restores it
/// into a scratch database and folder, runs the checks there, and throws the scratch targets away.
/// </summary>
public sealed class RestoreDrillTests(DrillHostFixture host, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<DrillHostFixture>
{
    private const string Published = "SELECT count(*) FROM posts WHERE published_at IS NOT NULL";

    [Fact]
    public async Task A_good_drill_passes_and_records_its_time_to_restore_on_the_backup_and_the_health()
    {
        var cms = await NewCmsAsync();
        try
        {
            var configId = await host.CreateConfigAsync(ConfigFor(cms, [
                new { name = "published-posts", sql = Published },
                new { name = "authors", sql = "SELECT id, name, bio FROM authors;" },
            ]));
            var shown = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{configId}");
            Assert.Equal("published-posts", shown.GetProperty("restoreDrill").GetProperty("checks")[0].GetProperty("name").GetString());
            var backupId = await BackupAsync(configId);

            var drill = await DrillAsync(configId);

            Assert.True(drill.GetProperty("status").GetString() == "passed", drill.ToString());
            Assert.Equal(backupId, drill.GetProperty("backupId").GetString());
            var seconds = drill.GetProperty("durationSeconds").GetDouble();
            Assert.True(seconds > 0, drill.ToString());
            Assert.Equal(8, drill.GetProperty("files").GetInt64());
            Assert.Equal(3, drill.GetProperty("tables").GetInt32());
            Assert.True(drill.GetProperty("cleanedUp").GetBoolean());
            var checks = drill.GetProperty("checks").EnumerateArray().ToList();
            Assert.Equal(["published-posts", "authors"], checks.Select(c => c.GetProperty("name").GetString()));
            Assert.All(checks, c => Assert.Equal("passed", c.GetProperty("result").GetString()));
            Assert.Equal(1, checks[0].GetProperty("rows").GetInt64());
            Assert.Equal(200, checks[1].GetProperty("rows").GetInt64());
            Assert.Equal(200, checks[1].GetProperty("recordedRows").GetInt64());

            var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{backupId}");
            var onBackup = backup.GetProperty("lastRestoreDrill");
            Assert.Equal(("passed", seconds, drill.GetProperty("id").GetString()),
                (onBackup.GetProperty("result").GetString(), onBackup.GetProperty("durationSeconds").GetDouble(), onBackup.GetProperty("drillId").GetString()));

            var health = await ConfigHealthAsync(configId);
            var last = health.GetProperty("lastRestoreDrill");
            Assert.Equal(backupId, last.GetProperty("backupId").GetString());
            Assert.Equal("passed", last.GetProperty("result").GetString());
            Assert.Equal(seconds, last.GetProperty("durationSeconds").GetDouble());
            Assert.True(last.GetProperty("when").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
            Assert.DoesNotContain(health.GetProperty("openAlerts").EnumerateArray(), a => a.GetProperty("type").GetString() == "restore_drill_failed");

            await AssertNoScratchLeftAsync(cms.Database.Database);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    /// <summary>
    /// The check <c>SELECT current_database()</c> answers one row at backup time and one row at drill time, but with
    /// another value: the live database's name, then the scratch database's. That is exactly a check that does not
    /// survive a restore, and it goes through the real path — its answer digested on the live database inside the
    /// dump's snapshot, recorded under the manifest's MAC, recomputed on the restored scratch database and compared —
    /// with nothing tampered with and no test-only hook. The database itself restores (its row counts pass), so only
    /// the check fails the drill.
    /// </summary>
    [Fact]
    public async Task A_drill_whose_check_answers_differently_fails_raises_a_critical_alert_and_notifies()
    {
        var cms = await NewCmsAsync();
        var hook = "/drill-hook/" + Guid.NewGuid().ToString("N");
        try
        {
            var configId = await host.CreateConfigAsync(ConfigFor(cms, [
                new { name = "published-posts", sql = Published },
                new { name = "database-name", sql = "SELECT current_database()" },
            ], new { onFailure = true, webhooks = new[] { new { url = host.Receiver.Url(hook) } } }));
            var backupId = await BackupAsync(configId);

            var drill = await DrillAsync(configId);

            Assert.True(drill.GetProperty("status").GetString() == "failed", drill.ToString());
            var checks = drill.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
            Assert.Equal("passed", checks["published-posts"].GetProperty("result").GetString());
            Assert.Equal("failed", checks["database-name"].GetProperty("result").GetString());
            Assert.Contains("different values", checks["database-name"].GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("database-name", drill.GetProperty("error").GetString(), StringComparison.Ordinal);
            // The restore itself went through (the RTO is measured), only the check failed.
            Assert.True(drill.GetProperty("durationSeconds").GetDouble() > 0);

            var alerts = await host.Http.GetFromJsonAsync<JsonElement>("api/backup-alerts?pageSize=100");
            var alert = alerts.GetProperty("items").EnumerateArray()
                .Single(a => a.GetProperty("configId").GetString() == configId && a.GetProperty("type").GetString() == "restore_drill_failed");
            Assert.Equal("critical", alert.GetProperty("severity").GetString());
            Assert.Equal("open", alert.GetProperty("status").GetString());
            Assert.Equal(backupId, alert.GetProperty("backupId").GetString());

            var health = await ConfigHealthAsync(configId);
            Assert.Equal("critical", health.GetProperty("status").GetString());
            Assert.Equal("failed", health.GetProperty("lastRestoreDrill").GetProperty("result").GetString());
            var backup = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{backupId}");
            Assert.Equal("failed", backup.GetProperty("lastRestoreDrill").GetProperty("result").GetString());

            var delivery = Assert.Single(host.Receiver.Requests, r => r.PathAndQuery.StartsWith(hook, StringComparison.Ordinal));
            Assert.Equal("restore_drill.failed", delivery.Json.GetProperty("event").GetString());
            Assert.Equal("restore_drill_failed", delivery.Json.GetProperty("alert").GetProperty("type").GetString());
            Assert.Equal(backupId, delivery.Json.GetProperty("backupId").GetString());

            await AssertNoScratchLeftAsync(cms.Database.Database);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    /// <summary>
    /// Cancelled once its backup is picked, i.e. while it restores into the scratch targets: the restore step is let
    /// finish (so nothing is still writing), then cleanup removes what it made and the drill ends cancelled, no alert.
    /// </summary>
    [Fact]
    public async Task A_cancelled_drill_leaves_no_scratch_database_or_folder()
    {
        var cms = await NewCmsAsync();
        try
        {
            var configId = await host.CreateConfigAsync(ConfigFor(cms, [new { name = "published-posts", sql = Published }]));
            await BackupAsync(configId);
            using var response = await host.Http.PostAsync($"api/backup-configs/{configId}/restore-drill", null);
            var drillId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("drillId").GetString()!;
            JsonElement drill;
            do
            {
                drill = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-drills/{drillId}");
                await Task.Delay(50);
            }
            while (drill.GetProperty("status").GetString() == "pending");

            using (var cancel = await host.Http.PostAsync($"api/restore-drills/{drillId}/cancel", null))
                Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            var ended = await WaitForDrillAsync(drillId);

            Assert.True(ended.GetProperty("status").GetString() == "cancelled", ended.ToString());
            // Whether the restore step was in flight (and so finished before cleanup) depends on timing; both must end clean.
            output.WriteLine($"cancelled drill: restore {(ended.TryGetProperty("durationSeconds", out var rto) && rto.ValueKind == JsonValueKind.Number ? $"finished in {rto} s before the cleanup" : "not reached")}");
            Assert.True(ended.GetProperty("cleanedUp").GetBoolean());
            Assert.Equal(cms.Database.Database + "_drill_", ended.GetProperty("scratchDatabase").GetString()![..(cms.Database.Database.Length + 7)]);
            await AssertNoScratchLeftAsync(cms.Database.Database);
            var alerts = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-alerts?configId={configId}");
            Assert.Empty(alerts.GetProperty("items").EnumerateArray());
            using (var again = await host.Http.PostAsync($"api/restore-drills/{drillId}/cancel", null))
                Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Fact]
    public async Task Drill_requests_are_checked()
    {
        var cms = await NewCmsAsync();
        try
        {
            var configId = await host.CreateConfigAsync(ConfigFor(cms, []));
            using (var none = await host.Http.PostAsync($"api/backup-configs/{configId}/restore-drill", null))
                Assert.Equal(HttpStatusCode.Conflict, none.StatusCode); // no backup yet
            using (var unknown = await host.Http.PostAsync("api/backup-configs/cfg-000000000000000000000000/restore-drill", null))
                Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

            using var bad = await host.Http.PostAsJsonAsync("api/backup-configs", new
            {
                name = "bad drill",
                database = new { host = cms.Database.Host, port = cms.Database.Port, database = cms.Database.Database, username = cms.Database.Username },
                schedule = new { frequency = "manual" },
                storage = new { type = "azureBlob", container = host.Container },
                restoreDrill = new { schedule = new { frequency = "weekly", time = "04:00" }, checks = new[] { new { name = "a/b", sql = "SELECT 1" } } },
            });
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var errors = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
            Assert.True(errors.TryGetProperty("restoreDrill.schedule.dayOfWeek", out _), errors.ToString());
            Assert.True(errors.TryGetProperty("restoreDrill.checks[0].name", out _), errors.ToString());
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    private async Task<string> BackupAsync(string configId)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(3));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        return job.GetProperty("backupId").GetString()!;
    }

    private async Task<JsonElement> DrillAsync(string configId)
    {
        using var response = await host.Http.PostAsync($"api/backup-configs/{configId}/restore-drill", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        var drillId = JsonDocument.Parse(body).RootElement.GetProperty("drillId").GetString()!;
        Assert.Equal($"/api/restore-drills/{drillId}", response.Headers.Location?.ToString());

        return await WaitForDrillAsync(drillId);
    }

    private async Task<JsonElement> WaitForDrillAsync(string drillId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        JsonElement drill;
        do
        {
            drill = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-drills/{drillId}");
            var status = drill.GetProperty("status").GetString();
            if (status is "passed" or "failed" or "cancelled")
                return drill;
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Drill {drillId} did not finish: {drill}");
    }

    private async Task<JsonElement> ConfigHealthAsync(string configId)
    {
        var report = await host.Http.GetFromJsonAsync<JsonElement>("api/backup-health");
        return report.GetProperty("configs").EnumerateArray().Single(c => c.GetProperty("configId").GetString() == configId);
    }

    /// <summary>No database of the drills is left on the server, and the scratch root holds nothing.</summary>
    private async Task AssertNoScratchLeftAsync(string liveDatabase)
    {
        await using var connection = new NpgsqlConnection(SampleCms.ConnectionString(TestEnvironment.Postgres()));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE $1", connection);
        query.Parameters.Add(new NpgsqlParameter { Value = liveDatabase + "\\_drill\\_%" });
        await using var reader = await query.ExecuteReaderAsync();
        var left = new List<string>();
        while (await reader.ReadAsync())
            left.Add(reader.GetString(0));
        Assert.Empty(left);
        Assert.True(Directory.Exists(host.DrillScratchRoot), "the drill restored files under the scratch root");
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.DrillScratchRoot));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(host.DrillScratchRoot));
    }

    private async Task<(PostgresConnectionInfo Database, string SiteRoot)> NewCmsAsync()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("cms"));
        return (db, SampleCms.CreateSite(host.Scratch("site")));
    }

    private object ConfigFor((PostgresConnectionInfo Database, string SiteRoot) cms, object[] checks, object? notifications = null) => new
    {
        name = "Drilled CMS",
        database = new { host = cms.Database.Host, port = cms.Database.Port, database = cms.Database.Database, username = cms.Database.Username },
        files = new { root = cms.SiteRoot },
        schedule = new { frequency = "manual" },
        storage = new { type = "azureBlob", container = host.Container, prefix = "drill-" + Guid.NewGuid().ToString("N")[..6] },
        restoreDrill = new { schedule = new { frequency = "weekly", dayOfWeek = "sunday", time = "04:00", timeZone = "Europe/Berlin" }, checks },
        notifications,
    };
}
