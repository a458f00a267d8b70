using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Tests.Support;

namespace BackupFunctions.Tests;

/// <summary>
/// Retention through the real app with a fake clock: the config's retention round-trips, a dry run shows the plan and
/// changes nothing, an applied cleanup removes rows and objects, and autoCleanup does it after each backup.
/// </summary>
public sealed class RetentionApiTests(FakeClockHostFixture host) : IClassFixture<FakeClockHostFixture>
{
    [Fact]
    public async Task A_dry_run_shows_the_plan_and_applying_it_removes_the_objects_and_rows()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "retained",
            files = new { root = site, components = new[] { "config" } },
            schedule = new { frequency = "manual", timeZone = "UTC" },
            storage = new { type = "local", path = "retained" },
            retention = new { keepDaily = 1, keepWithin = "1y6m3d", autoCleanup = false },
        });
        var config = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{configId}");
        Assert.Equal("548d", config.GetProperty("retention").GetProperty("keepWithin").GetString());
        Assert.Equal(1, config.GetProperty("retention").GetProperty("keepDaily").GetInt32());

        // keepWithin 548d would keep everything made this year; two daily buckets: the newest of each of the last two days.
        configId = await host.CreateConfigAsync(new
        {
            name = "retained",
            files = new { root = site, components = new[] { "config" } },
            schedule = new { frequency = "manual", timeZone = "UTC" },
            storage = new { type = "local", path = "retained" },
            retention = new { keepDaily = 2, autoCleanup = false },
        });
        var first = await BackupAsync(configId);
        var second = await BackupAsync(configId);
        host.Clock!.Advance(TimeSpan.FromDays(1));
        var third = await BackupAsync(configId);

        using (var dry = await host.Http.PostAsJsonAsync($"api/backup-configs/{configId}/cleanup", new { dryRun = true }))
        {
            var plan = await dry.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(dry.StatusCode == HttpStatusCode.OK, plan.ToString());
            Assert.False(plan.GetProperty("applied").GetBoolean());
            var decisions = plan.GetProperty("backups").EnumerateArray()
                .ToDictionary(b => b.GetProperty("backupId").GetString()!, b => b.GetProperty("decision").GetString());
            Assert.Equal("keep", decisions[third]);
            Assert.Equal("keep", decisions[second]);
            Assert.Equal("remove", decisions[first]);
            Assert.Equal(1, plan.GetProperty("remove").GetInt32());
        }
        Assert.True(Directory.Exists(BackupFolder("retained", first)));

        using (var apply = await host.Http.PostAsJsonAsync($"api/backup-configs/{configId}/cleanup", new { dryRun = false }))
        {
            var body = await apply.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(apply.StatusCode == HttpStatusCode.Accepted, body.ToString());
            Assert.Equal($"/api/backup-configs/{configId}/cleanup", apply.Headers.Location?.ToString());
            Assert.Equal(1, body.GetProperty("plan").GetProperty("remove").GetInt32());
        }
        var status = await WaitForCleanupAsync(configId);
        Assert.Equal(1, status.GetProperty("report").GetProperty("removed").GetInt32());

        using (var gone = await host.Http.GetAsync($"api/backups/{first}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.False(Directory.Exists(BackupFolder("retained", first)) && Directory.EnumerateFileSystemEntries(BackupFolder("retained", first)).Any());
        Assert.NotEmpty(Directory.EnumerateFiles(BackupFolder("retained", second)));
        Assert.NotEmpty(Directory.EnumerateFiles(BackupFolder("retained", third)));
    }

    [Fact]
    public async Task Auto_cleanup_applies_the_policy_after_each_backup()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        var configId = await host.CreateConfigAsync(new
        {
            name = "auto",
            files = new { root = site, components = new[] { "config" } },
            schedule = new { frequency = "manual", timeZone = "UTC" },
            storage = new { type = "local", path = "auto" },
            retention = new { keepDaily = 1, autoCleanup = true },
        });
        var first = await BackupAsync(configId);
        Assert.True(Directory.Exists(BackupFolder("auto", first)));
        var second = await BackupAsync(configId);

        // The cleanup runs in the backup's orchestration after the backup is recorded.
        await WaitUntilAsync(async () => (await host.Http.GetAsync($"api/backups/{first}")).StatusCode == HttpStatusCode.NotFound);
        Assert.False(Directory.Exists(BackupFolder("auto", first)) && Directory.EnumerateFileSystemEntries(BackupFolder("auto", first)).Any());
        Assert.NotEmpty(Directory.EnumerateFiles(BackupFolder("auto", second)));
        var job = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{second}");
        Assert.Equal("completed", job.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Bad_retention_settings_and_cleanups_without_rules_are_refused_naming_the_field()
    {
        var site = SampleCms.CreateSite(host.Scratch("site"));
        object Config(object retention) => new
        {
            name = "bad",
            files = new { root = site, components = new[] { "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "bad" },
            retention,
        };
        foreach (var (retention, field, words) in new (object, string, string)[]
        {
            (new { keepWithin = "two weeks" }, "retention.keepWithin", "30d, 36h or 1y6m3d"),
            (new { keepDaily = -1 }, "retention.keepDaily", "0 (the rule is off) or more"),
            (new { autoCleanup = true }, "retention.autoCleanup", "needs a rule"),
        })
        {
            using var response = await host.Http.PostAsJsonAsync("api/backup-configs", Config(retention));
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem.ToString());
            Assert.Contains(words, problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        }

        var keepsAll = await host.CreateConfigAsync(new
        {
            name = "keeps all",
            files = new { root = site, components = new[] { "config" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "all" },
        });
        using (var noRules = await host.Http.PostAsJsonAsync($"api/backup-configs/{keepsAll}/cleanup", new { dryRun = true }))
            Assert.Equal(HttpStatusCode.BadRequest, noRules.StatusCode);
        using (var unknown = await host.Http.PostAsJsonAsync("api/backup-configs/cfg-0000000000000000000-nope/cleanup", new { dryRun = true }))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private string BackupFolder(string path, string backupId) => Path.Combine(host.LocalRoot, path, "backups", backupId);

    private async Task<string> BackupAsync(string configId)
    {
        host.Clock!.Advance(TimeSpan.FromMinutes(10));
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        return job.GetProperty("backupId").GetString()!;
    }

    private async Task<JsonElement> WaitForCleanupAsync(string configId)
    {
        JsonElement status = default;
        await WaitUntilAsync(async () =>
        {
            status = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{configId}/cleanup");
            Assert.NotEqual("failed", status.GetProperty("status").GetString());
            return status.GetProperty("status").GetString() == "completed";
        });
        return status;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The condition did not hold within a minute.");
            await Task.Delay(200);
        }
    }
}
