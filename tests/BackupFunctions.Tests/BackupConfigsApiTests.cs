using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using BackupFunctions.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// <c>/api/backup-configs</c> with the seed's BackupConfig: created with no source (the install's default CMS from
/// settings), shown in the canonical shape, edited with PUT under If-Match, paused, tested and deleted; and each
/// refusal as problem+json naming the field. The real functions on the local host, Azurite and PostgreSQL.
/// </summary>
public sealed class BackupConfigsApiTests(ConfigsHostFixture host) : IClassFixture<ConfigsHostFixture>
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The seed's BackupConfig, every field it names: no database or files (the CMS the service runs beside).</summary>
    private static object SeedConfig(string storageId, string name = "Nightly CMS backup") => new
    {
        name,
        description = "Database and site of the shop",
        type = "full",
        enabled = true,
        verification = true,
        schedule = new { frequency = "weekly", time = "02:30", dayOfWeek = 1, timezone = "Europe/Berlin", maxConcurrent = 1 },
        storage = new object[]
        {
            new { id = storageId, primary = true, prefix = "shop" },
            new { type = "local", path = "replica-" + Guid.NewGuid().ToString("N")[..6], primary = false },
        },
        retention = new { keepDaily = 7, keepWeekly = 4, keepMonthly = 6, keepYearly = 1, maxTotalBackups = 50, autoCleanup = false },
        compression = new { enabled = true, algorithm = "gzip", level = 6 },
        encryption = new { enabled = true, algorithm = "aes256", keyDerivation = "pbkdf2" },
    };

    private Task<string> LocalStorageAsync(string name) =>
        host.CreateStorageAsync(new { name, type = "local", settings = new { path = name + "-" + Guid.NewGuid().ToString("N")[..6] } });

    [Fact]
    public async Task The_seeds_config_is_accepted_shown_in_the_canonical_shape_edited_tested_and_deleted()
    {
        var storageId = await LocalStorageAsync("primary");

        using var created = await host.Http.PostAsJsonAsync("api/backup-configs", SeedConfig(storageId));
        var createdBody = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, createdBody);
        var etag = created.Headers.ETag;
        Assert.NotNull(etag);
        var view = JsonDocument.Parse(createdBody).RootElement;
        var id = view.GetProperty("id").GetString()!;

        // The canonical shape: the seed's places, the default CMS written in, algorithms by the format's names.
        Assert.Equal("full", view.GetProperty("type").GetString());
        Assert.Equal("Database and site of the shop", view.GetProperty("description").GetString());
        Assert.True(view.GetProperty("enabled").GetBoolean());
        Assert.True(view.GetProperty("verification").GetBoolean());
        Assert.Equal(host.CmsDatabase.Database, view.GetProperty("database").GetProperty("database").GetString());
        Assert.Equal(host.CmsSite, view.GetProperty("files").GetProperty("root").GetString());
        var schedule = view.GetProperty("schedule");
        Assert.Equal(("monday", "Europe/Berlin", 1), (schedule.GetProperty("dayOfWeek").GetString(), schedule.GetProperty("timeZone").GetString(), schedule.GetProperty("maxConcurrent").GetInt32()));
        var storage = view.GetProperty("storage").EnumerateArray().ToList();
        Assert.Equal(2, storage.Count);
        Assert.True(storage[0].GetProperty("primary").GetBoolean());
        Assert.Equal(storageId, storage[0].GetProperty("storageId").GetString());
        Assert.False(storage[1].GetProperty("primary").GetBoolean());
        Assert.Equal("local", storage[1].GetProperty("type").GetString());
        Assert.Equal(("gzip", true, 6), (view.GetProperty("compression").GetProperty("algorithm").GetString(), view.GetProperty("compression").GetProperty("enabled").GetBoolean(), view.GetProperty("compression").GetProperty("level").GetInt32()));
        Assert.Equal(("aes-256-gcm", "pbkdf2"), (view.GetProperty("encryption").GetProperty("algorithm").GetString(), view.GetProperty("encryption").GetProperty("keyDerivation").GetString()));
        Assert.False(view.TryGetProperty("maxConcurrent", out _));
        Assert.False(view.TryGetProperty("replicas", out _));
        Assert.NotEqual(JsonValueKind.Null, view.GetProperty("nextRunAt").ValueKind);

        using (var get = await host.Http.GetAsync($"api/backup-configs/{id}"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(etag, get.Headers.ETag);
        }

        // Edited with PUT: the answer sent back, changed, under If-Match.
        var edited = JsonNode.Parse(createdBody)!.AsObject();
        edited["name"] = "Nightly CMS backup (edited)";
        edited["schedule"]!["dayOfWeek"] = 0;
        host.Clock!.Advance(TimeSpan.FromMinutes(1));
        using var put = await PutAsync(id, edited, etag.Tag);
        var putBody = await put.Content.ReadAsStringAsync();
        Assert.True(put.StatusCode == HttpStatusCode.OK, putBody);
        var newEtag = put.Headers.ETag;
        Assert.NotNull(newEtag);
        Assert.NotEqual(etag, newEtag);
        var replaced = JsonDocument.Parse(putBody).RootElement;
        Assert.Equal("Nightly CMS backup (edited)", replaced.GetProperty("name").GetString());
        Assert.Equal("sunday", replaced.GetProperty("schedule").GetProperty("dayOfWeek").GetString());
        Assert.True(replaced.GetProperty("updatedAt").GetDateTimeOffset() > view.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(view.GetProperty("createdAt").GetDateTimeOffset(), replaced.GetProperty("createdAt").GetDateTimeOffset());

        // A second editor who read the first version: 412, nothing overwritten; so is a stale updatedAt in the body.
        edited["name"] = "stale edit";
        using (var stale = await PutAsync(id, edited, etag.Tag))
        {
            await ProblemAssert.NamesFieldAsync(stale, "If-Match", HttpStatusCode.PreconditionFailed);
            Assert.Equal(newEtag, stale.Headers.ETag);
        }
        using (var staleBody = await PutAsync(id, edited, ifMatch: null))
            await ProblemAssert.NamesFieldAsync(staleBody, "If-Match", HttpStatusCode.PreconditionFailed);
        Assert.Equal("Nightly CMS backup (edited)", (await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{id}")).GetProperty("name").GetString());

        // Tested: every check of a run, nothing written.
        var report = await TestAsync(id);
        Assert.True(report.GetProperty("ok").GetBoolean(), report.ToString());
        var names = report.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["database", "pgDump", "files.root", "files.components[0]", "files.components[1]", "files.components[2]", "files.components[3]", "storage[0]", "storage[1]", "key"], names);
        // The database and pgDump checks say which pg_dump was found, where, and its version (as it reports itself).
        var pgDump = Path.GetFullPath(Path.Combine(TestEnvironment.PostgresBinDirectory, "pg_dump"));
        var pgDumpVersion = await PgDumpVersionAsync(pgDump);
        var messages = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("message").GetString());
        Assert.Contains($"pg_dump {pgDumpVersion} at {pgDump})", messages["database"], StringComparison.Ordinal);
        Assert.StartsWith($"pg_dump {pgDumpVersion} at {pgDump} can dump PostgreSQL ", messages["pgDump"], StringComparison.Ordinal);
        // So does the health report, as found at start-up, for pg_restore too.
        var tools = (await host.Http.GetFromJsonAsync<JsonElement>("api/backup-health")).GetProperty("postgresTools").EnumerateArray()
            .ToDictionary(t => t.GetProperty("tool").GetString()!);
        Assert.Equal(pgDump, tools["pg_dump"].GetProperty("path").GetString());
        Assert.Equal(pgDumpVersion, tools["pg_dump"].GetProperty("version").GetString());
        Assert.True(tools["pg_restore"].GetProperty("found").GetBoolean());
        Assert.Equal(JsonValueKind.Null, tools["pg_restore"].GetProperty("error").ValueKind);
        Assert.All(report.GetProperty("checks").EnumerateArray(), c =>
        {
            Assert.True(c.GetProperty("durationMs").GetDouble() >= 0);
            Assert.Equal(JsonValueKind.Null, c.GetProperty("kind").ValueKind);
        });
        Assert.Empty((await host.Http.GetFromJsonAsync<JsonElement>($"api/backups?configId={id}")).GetProperty("items").EnumerateArray());

        // Deleted (its backups kept by default): no longer shown or listed.
        using (var delete = await host.Http.DeleteAsync($"api/backup-configs/{id}"))
        {
            var deleted = await delete.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
            Assert.Equal("Nightly CMS backup (edited)", deleted.GetProperty("name").GetString());
        }
        using (var gone = await host.Http.GetAsync($"api/backup-configs/{id}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var list = await host.Http.GetFromJsonAsync<JsonElement>("api/backup-configs?pageSize=100");
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetString() == id);
        using (var again = await host.Http.DeleteAsync($"api/backup-configs/{id}"))
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_running_job_keeps_its_config_the_next_run_uses_the_edit_and_delete_waits_for_it()
    {
        var id = await host.CreateConfigAsync(new
        {
            name = "edited while running",
            type = "files",
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "running-" + Guid.NewGuid().ToString("N")[..6] },
            compression = new { algorithm = "gzip" },
        });
        var jobId = await StartBackupAsync(id);
        await WaitForStatusAsync(jobId, "running");

        // The plan is fixed: an edit now changes the next run only.
        var config = JsonNode.Parse(await host.Http.GetStringAsync($"api/backup-configs/{id}"))!.AsObject();
        config["compression"] = new JsonObject { ["enabled"] = false };
        using (var put = await PutAsync(id, config, ifMatch: "*"))
            Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        // Not deleted while a job of it runs.
        using (var busy = await host.Http.DeleteAsync($"api/backup-configs/{id}"))
        {
            var body = await busy.Content.ReadAsStringAsync();
            Assert.True(busy.StatusCode == HttpStatusCode.Conflict, body);
            Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
            Assert.Contains(jobId, body, StringComparison.Ordinal);
        }

        var first = await JobPolling.WaitForJobAsync(host.Http, jobId, JobTimeout);
        Assert.True(first.GetProperty("status").GetString() == "completed", first.ToString());
        Assert.Equal("gzip", (await BackupAsync(first)).GetProperty("compression").GetString());

        var second = await JobPolling.WaitForJobAsync(host.Http, await StartBackupAsync(id), JobTimeout);
        Assert.True(second.GetProperty("status").GetString() == "completed", second.ToString());
        var secondBackup = await BackupAsync(second);
        Assert.Equal("none", secondBackup.GetProperty("compression").GetString());

        // Deleted, backups kept: still listed and restorable under the deleted config's id.
        using (var delete = await host.Http.DeleteAsync($"api/backup-configs/{id}?deleteBackups=false"))
            Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        var backupId = secondBackup.GetProperty("id").GetString()!;
        var listed = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{backupId}");
        Assert.Equal(id, listed.GetProperty("configId").GetString());
        using var preview = await host.Http.PostAsJsonAsync($"api/backups/{backupId}/restore", new { dryRun = true });
        Assert.True(preview.StatusCode == HttpStatusCode.OK, await preview.Content.ReadAsStringAsync());
        // A deleted config makes no new backups.
        using var refused = await host.Http.PostAsJsonAsync("api/backups", new { configId = id });
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
    }

    [Fact]
    public async Task Delete_with_deleteBackups_removes_every_copy_through_the_retention_deleter()
    {
        var path = "doomed-" + Guid.NewGuid().ToString("N")[..6];
        var id = await host.CreateConfigAsync(new
        {
            name = "doomed",
            type = "database",
            schedule = new { frequency = "manual" },
            storage = new[] { new { type = "local", path } },
        });
        var job = await JobPolling.WaitForJobAsync(host.Http, await StartBackupAsync(id), JobTimeout);
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        var backupId = (await BackupAsync(job)).GetProperty("id").GetString()!;
        var folder = Path.Combine(host.LocalRoot, path);
        Assert.NotEmpty(Directory.EnumerateFiles(folder, "manifest.json", SearchOption.AllDirectories));

        using var delete = await host.Http.DeleteAsync($"api/backup-configs/{id}?deleteBackups=true");
        var answer = await delete.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(delete.StatusCode == HttpStatusCode.OK, answer.ToString());
        Assert.Equal(1, answer.GetProperty("backupsRemoved").GetInt32());
        Assert.Empty(answer.GetProperty("backupsKept").EnumerateArray());

        using (var gone = await host.Http.GetAsync($"api/backups/{backupId}"))
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.DoesNotContain(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories), f => f.Contains(backupId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_paused_config_has_no_next_run_starts_nothing_and_is_never_overdue()
    {
        var clock = host.Clock!;
        using var created = await host.Http.PostAsJsonAsync("api/backup-configs", new
        {
            name = "paused",
            type = "files",
            enabled = false,
            files = new { components = new[] { "config" } },
            schedule = new { frequency = "hourly", minute = 5 },
            storage = new { type = "local", path = "paused-" + Guid.NewGuid().ToString("N")[..6] },
        });
        var view = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.StatusCode == HttpStatusCode.Created, view.ToString());
        var id = view.GetProperty("id").GetString()!;
        Assert.False(view.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("nextRunAt").ValueKind);

        // Days pass: the timer starts nothing, and the overdue evaluation raises nothing.
        clock.Advance(TimeSpan.FromDays(3));
        await FireTimerAsync();
        Assert.Empty(await JobsOfAsync(id));
        await host.Host.Services.GetRequiredService<AlertMonitor>().EvaluateAsync(default);
        var alerts = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-alerts?configId={id}&type=backup_overdue");
        Assert.Empty(alerts.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, (await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{id}")).GetProperty("nextRunAt").ValueKind);

        // Resumed: the next slot is scheduled and runs; the slots that passed while paused do not.
        var config = JsonNode.Parse(await host.Http.GetStringAsync($"api/backup-configs/{id}"))!.AsObject();
        config["enabled"] = true;
        using var resumed = await PutAsync(id, config, ifMatch: null);
        var resumedView = await resumed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(resumed.StatusCode == HttpStatusCode.OK, resumedView.ToString());
        var next = resumedView.GetProperty("nextRunAt").GetDateTimeOffset();
        Assert.InRange(next, clock.GetUtcNow(), clock.GetUtcNow().AddHours(1));
        await FireTimerAsync();
        Assert.Empty(await JobsOfAsync(id));

        clock.SetUtcNow(next.AddSeconds(30));
        await FireTimerAsync();
        var job = Assert.Single(await JobsOfAsync(id));
        Assert.Equal(next, job.ScheduledFor);
        var finished = await JobPolling.WaitForJobAsync(host.Http, job.Id, JobTimeout);
        Assert.True(finished.GetProperty("status").GetString() == "completed", finished.ToString());
    }

    [Fact]
    public async Task The_test_names_each_failing_check_with_its_kind_and_what_to_do()
    {
        var storageId = await LocalStorageAsync("tested");
        var id = await host.CreateConfigAsync(new
        {
            name = "broken",
            // Nothing listens on port 1 of loopback.
            database = new { host = "127.0.0.1", port = 1, database = "cms", username = "backup" },
            files = new { root = host.CmsSite, components = new[] { "uploads", "missing-component" } },
            schedule = new { frequency = "manual" },
            storage = new object[] { new { storageId, primary = true } },
        });

        var report = await TestAsync(id);

        Assert.False(report.GetProperty("ok").GetBoolean());
        var checks = report.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("unreachable", checks["database"].GetProperty("kind").GetString());
        Assert.Contains("database.host", checks["database"].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(checks["pgDump"].GetProperty("ok").GetBoolean());
        Assert.True(checks["files.root"].GetProperty("ok").GetBoolean());
        Assert.True(checks["files.components[0]"].GetProperty("ok").GetBoolean());
        Assert.Equal("missing", checks["files.components[1]"].GetProperty("kind").GetString());
        Assert.Contains("missing-component", checks["files.components[1]"].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(checks["storage[0]"].GetProperty("ok").GetBoolean());
        Assert.True(checks["key"].GetProperty("ok").GetBoolean());

        using var unknown = await host.Http.PostAsync("api/backup-configs/cfg-nope/test", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"colour":"red"}""", "colour" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":[{"type":"local","path":"x","primary":true},{"type":"local","path":"y","colour":"red"}]}""", "storage[1].colour" },
        { """{"name":"a","schedule":{"frequency":"weekly","time":"02:00","dayOfWeek":7},"storage":{"type":"local","path":"x"}}""", "schedule.dayOfWeek" },
        { """{"name":"a","schedule":{"frequency":"weekly","time":"02:00","dayOfWeek":"someday"},"storage":{"type":"local","path":"x"}}""", "schedule.dayOfWeek" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":[{"type":"local","path":"x","primary":true},{"type":"local","path":"y","primary":true}]}""", "storage[1].primary" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":[{"type":"local","path":"x"},{"type":"local","path":"y"}]}""", "storage" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":[{"type":"local","path":"x","primary":true},{"type":"azureBlob","container":"Bad_Name"}]}""", "storage[1].container" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":[{"id":"stg-0123456789abcdef01234567","primary":true}]}""", "storage[0].storageId" },
        { """{"name":"a","schedule":{"frequency":"manual","maxConcurrent":11},"storage":{"type":"local","path":"x"}}""", "schedule.maxConcurrent" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"encryption":{"algorithm":"aes128"}}""", "encryption.algorithm" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"encryption":{"enabled":true,"algorithm":"none"}}""", "encryption.enabled" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"encryption":{"keyDerivation":"argon2"}}""", "encryption.keyDerivation" },
        { """{"name":"a","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"},"compression":{"algorithm":"xz"}}""", "compression.algorithm" },
        { """{"name":"a","type":"selective","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "type" },
        { """{"name":"a","type":"weekly","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "type" },
        { """{"name":"a","description":"bell \u0007","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "description" },
        { """{"name":"a","enabled":"yes","schedule":{"frequency":"manual"},"storage":{"type":"local","path":"x"}}""", "enabled" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Each_error_is_a_problem_naming_the_field_on_create_and_on_replace(string body, string field)
    {
        using (var create = await host.Http.PostAsync("api/backup-configs", new StringContent(body, Encoding.UTF8, "application/json")))
        {
            Assert.Equal("application/problem+json", create.Content.Headers.ContentType?.MediaType);
            await ProblemAssert.NamesFieldAsync(create, field);
        }

        var id = await host.CreateConfigAsync(new { name = "target", type = "database", schedule = new { frequency = "manual" }, storage = new { type = "local", path = "target" } });
        using var replace = await host.Http.PutAsync($"api/backup-configs/{id}", new StringContent(body, Encoding.UTF8, "application/json"));
        await ProblemAssert.NamesFieldAsync(replace, field);
        Assert.Equal("target", (await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-configs/{id}")).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Put_refuses_another_id_in_the_body_and_answers_404_for_an_unknown_config()
    {
        var id = await host.CreateConfigAsync(new { name = "ids", type = "database", schedule = new { frequency = "manual" }, storage = new { type = "local", path = "ids" } });
        var body = JsonNode.Parse(await host.Http.GetStringAsync($"api/backup-configs/{id}"))!.AsObject();
        body["id"] = "cfg-another";
        using (var other = await PutAsync(id, body, ifMatch: null))
            await ProblemAssert.NamesFieldAsync(other, "id");

        body.Remove("id");
        using var unknown = await PutAsync("cfg-0000000000000000000-unknown", body, ifMatch: null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var badFlag = await host.Http.DeleteAsync($"api/backup-configs/{id}?deleteBackups=maybe");
        await ProblemAssert.NamesFieldAsync(badFlag, "deleteBackups");
    }

    [Fact]
    public async Task An_answer_with_signed_webhooks_goes_back_by_put_and_keeps_their_secrets()
    {
        // Answers never show a webhook's secret or query string; sent back as they are, both stay as stored.
        var id = await host.CreateConfigAsync(new
        {
            name = "webhooks",
            type = "database",
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "webhooks" },
            notifications = new
            {
                webhooks = new object[]
                {
                    new { url = "http://127.0.0.1:9/sealed?token=abc", secret = "a webhook secret" },
                    new { url = "http://127.0.0.1:9/referenced", secret = new { setting = "BackupSecrets__HOOK" } },
                    new { url = "http://127.0.0.1:9/plain" },
                },
            },
        });
        var catalog = new BackupCatalog(new TableServiceClient(TestEnvironment.AzuriteConnectionString), host.TablePrefix, TimeProvider.System);
        var before = (await catalog.Configs.GetAsync(id, CancellationToken.None))!.Config.Notifications!.Webhooks;
        using var get = await host.Http.GetAsync($"api/backup-configs/{id}");
        var body = JsonNode.Parse(await get.Content.ReadAsStringAsync())!.AsObject();
        body["name"] = "webhooks, renamed";

        using (var put = await PutAsync(id, body, get.Headers.ETag!.Tag))
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var after = (await catalog.Configs.GetAsync(id, CancellationToken.None))!.Config;
        Assert.Equal("webhooks, renamed", after.Name);
        Assert.Equal(before.Select(w => (w.Url, w.ProtectedSecret)), after.Notifications!.Webhooks.Select(w => (w.Url, w.ProtectedSecret)));
        Assert.All(after.Notifications.Webhooks, w => Assert.True(w.Signing is null && w.SecretSetting is null));

        // Signing asked for a webhook that has no stored secret, or another reference by secretSetting: named.
        var unknown = JsonNode.Parse(body.ToJsonString())!.AsObject();
        unknown["notifications"]!["webhooks"]![2]!["signing"] = true;
        using (var refused = await PutAsync(id, unknown, ifMatch: null))
            await ProblemAssert.NamesFieldAsync(refused, "notifications.webhooks[2].signing");
        var other = JsonNode.Parse(body.ToJsonString())!.AsObject();
        other["notifications"]!["webhooks"]![1]!["secretSetting"] = "BackupSecrets__OTHER";
        using (var refused = await PutAsync(id, other, ifMatch: null))
            await ProblemAssert.NamesFieldAsync(refused, "notifications.webhooks[1].secretSetting");
    }

    private async Task<HttpResponseMessage> PutAsync(string id, JsonObject body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/backup-configs/{id}")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (ifMatch is not null)
            request.Headers.IfMatch.Add(ifMatch == "*" ? EntityTagHeaderValue.Any : EntityTagHeaderValue.Parse(ifMatch));
        return await host.Http.SendAsync(request);
    }

    private async Task<JsonElement> TestAsync(string id)
    {
        using var response = await host.Http.PostAsync($"api/backup-configs/{id}/test", null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> StartBackupAsync(string configId)
    {
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
    }

    private async Task WaitForStatusAsync(string jobId, string status)
    {
        var deadline = DateTime.UtcNow + JobTimeout;
        while (DateTime.UtcNow < deadline)
        {
            var job = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
            if (job.GetProperty("status").GetString() == status)
                return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Job {jobId} never became {status}.");
    }

    private async Task<JsonElement> BackupAsync(JsonElement job)
    {
        var backupId = job.TryGetProperty("backupId", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : job.GetProperty("id").GetString()!;
        return await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{backupId}");
    }

    private async Task FireTimerAsync()
    {
        var services = host.Host.Services;
        var timer = ActivatorUtilities.CreateInstance<ScheduledBackupsTimer>(services);
        await timer.Run(new TimerInfo(), services.GetRequiredService<DurableTaskClient>(), default);
    }

    private async Task<List<BackupJob>> JobsOfAsync(string configId)
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        return [.. (await catalog.Jobs.ListAsync(100, null, default)).Items.Where(j => j.ConfigId == configId)];
    }

    /// <summary>The version pg_dump prints (<c>pg_dump (PostgreSQL) 15.14 (Debian ...)</c> gives 15.14).</summary>
    private static async Task<string> PgDumpVersionAsync(string pgDump)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(pgDump, "--version") { RedirectStandardOutput = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Split("(PostgreSQL)", 2)[1].Trim().Split(' ')[0];
    }
}
