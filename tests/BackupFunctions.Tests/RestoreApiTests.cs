using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace BackupFunctions.Tests;

/// <summary>
/// The restore API's checks, dry run, point in time, restore points and restore jobs, through the local host's HTTP API
/// against real PostgreSQL and Azurite. Nothing here needs the restore orchestration to run: refusals and dry runs
/// change nothing, and the restore jobs read here are written as the orchestration writes them.
/// </summary>
public sealed class RestoreApiTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Restore_refuses_each_bad_field_by_name_and_starts_nothing()
    {
        await using var cms = await CmsBackup.CreateAsync(host, "rfields");
        var full = host.Scratch("full");
        Directory.CreateDirectory(full);
        File.WriteAllText(Path.Combine(full, "keep.txt"), "somebody's data");
        var occupiedDb = cms.NewDatabaseName("roccupied");
        await SampleCms.CreateDatabaseAsync(occupiedDb);
        var newFolder = host.Scratch("never-created");
        var newDb = cms.NewDatabaseName("rnever");

        async Task RefusedAsync(object body, params string[] fields)
        {
            using var response = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore", body);
            foreach (var field in fields)
                await ProblemAssert.NamesFieldAsync(response, field);
        }

        await RefusedAsync(new { type = "everything" }, "type");
        await RefusedAsync(new { restoreEverything = true }, "restoreEverything");
        await RefusedAsync(new { overwriteExisting = "yes" }, "overwriteExisting");
        await RefusedAsync(new { type = "database", restoreFiles = true }, "restoreFiles");
        await RefusedAsync(new { type = "files", restoreDatabase = true }, "restoreDatabase");
        await RefusedAsync(new { type = "database", restoreDatabase = false }, "restoreDatabase");
        await RefusedAsync(new { restoreDatabase = false, restoreFiles = false }, "restoreDatabase", "restoreFiles");
        await RefusedAsync(new { selectiveItems = new[] { "uploads/**" } }, "selectiveItems");
        await RefusedAsync(new { type = "selective" }, "selectiveItems");
        await RefusedAsync(new { type = "files", targetPath = "../elsewhere" }, "targetPath");
        await RefusedAsync(new { type = "files", targetPath = "/etc/bf-restore" }, "targetPath");
        await RefusedAsync(new { type = "files", targetPath = host.SitesRoot + "/a/../../../etc" }, "targetPath");
        await RefusedAsync(new { type = "files", targetPath = full }, "targetPath");
        await RefusedAsync(new { type = "files", targetPath = Path.Combine(cms.Site, "uploads", "restored") }, "targetPath");
        await RefusedAsync(new { type = "files", targetPath = newFolder + "/deeper/still" }, "targetPath");
        await RefusedAsync(new { type = "database", targetDatabase = "x\"; DROP DATABASE postgres; --" }, "targetDatabase");
        await RefusedAsync(new { type = "database", targetDatabase = "postgres" }, "targetDatabase");
        await RefusedAsync(new { type = "database", targetDatabase = "Mixed" }, "targetDatabase");
        await RefusedAsync(new { type = "database", targetDatabase = occupiedDb }, "targetDatabase");
        // One part elsewhere and the other over the live target would skip the pre-restore backup of the live one.
        await RefusedAsync(new { targetPath = newFolder }, "targetDatabase");
        await RefusedAsync(new { targetDatabase = newDb }, "targetPath");
        await RefusedAsync(new { overwriteExisting = false }, "overwriteExisting");
        await RefusedAsync(new { type = "database", overwriteExisting = false }, "overwriteExisting");
        // Several bad fields at once: each is named.
        await RefusedAsync(new { selectiveItems = new[] { "themes/*" }, targetPath = "relative/path", targetDatabase = "no way" },
            "selectiveItems", "targetPath", "targetDatabase");

        Assert.False(Directory.Exists(newFolder));
        Assert.False(await CmsBackup.DatabaseExistsAsync(newDb));
        Assert.Single(Directory.EnumerateFileSystemEntries(full));
        await AssertNoRestoreJobsAsync(cms.ConfigId);
    }

    [Fact]
    public async Task Hostile_items_and_targets_are_refused_and_nothing_is_created()
    {
        await using var cms = await CmsBackup.CreateAsync(host, "rhostile");
        var siteBefore = FolderSnapshot.Take(cms.Site);
        var dbBefore = await DatabaseSnapshot.TakeAsync(cms.Database);
        // A link inside the allowed folder that leads out of it: judged by where it leads.
        var outside = Path.Combine(Path.GetTempPath(), "bf-outside-" + Guid.NewGuid().ToString("N")[..8]);
        var link = host.Scratch("link-out");
        Directory.CreateSymbolicLink(link, outside);
        try
        {
            string[] hostileItems =
            [
                "../../etc/passwd", "/etc/passwd", "uploads/../../../etc", "~/secrets", "C:/Windows", "uploads\\..\\x",
                "./uploads", "uploads//x", "table:", "table:nodot", "table:.x", "uploads/\u0000x", "",
            ];
            foreach (var item in hostileItems)
            {
                using var response = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore",
                    new { type = "selective", selectiveItems = new[] { "themes/**", item } });
                await ProblemAssert.NamesFieldAsync(response, "selectiveItems");
            }
            using (var tooMany = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore",
                new { type = "selective", selectiveItems = Enumerable.Range(0, RestoreSelection.MaxItems + 1).Select(i => $"uploads/{i}") }))
            {
                await ProblemAssert.NamesFieldAsync(tooMany, "selectiveItems");
            }

            string[] hostilePaths = ["../", link, link + "/inner", "/", "/proc/self", host.SitesRoot, cms.Site + "/uploads"];
            foreach (var path in hostilePaths)
            {
                using var response = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore", new { targetPath = path });
                await ProblemAssert.NamesFieldAsync(response, "targetPath");
            }
            string[] hostileDatabases = ["a; DROP TABLE posts", "template1", "pg_catalog", "x\u0000", new string('a', 64), "über", ""];
            foreach (var name in hostileDatabases)
            {
                using var response = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore", new { targetDatabase = name });
                await ProblemAssert.NamesFieldAsync(response, "targetDatabase");
            }

            Assert.False(Directory.Exists(outside));
            Assert.Equal(siteBefore, FolderSnapshot.Take(cms.Site));
            var dbAfter = await DatabaseSnapshot.TakeAsync(cms.Database);
            Assert.Equal(dbBefore.Tables, dbAfter.Tables);
            await AssertNoRestoreJobsAsync(cms.ConfigId);
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Fact]
    public async Task Unknown_backup_is_404_and_a_backup_that_is_no_restore_point_is_409()
    {
        await using var cms = await CmsBackup.CreateAsync(host, "rstatus");
        using (var unknown = await host.Http.PostAsJsonAsync("api/backups/bkp-does-not-exist/restore", new { }))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var unknownConfig = await host.Http.PostAsJsonAsync("api/backup-configs/cfg-does-not-exist/restore", new { pointInTime = DateTimeOffset.UtcNow }))
            Assert.Equal(HttpStatusCode.NotFound, unknownConfig.StatusCode);

        // Rows as retention and verification leave them (the same backup's row under other ids and statuses).
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var backup = (await catalog.Backups.GetAsync(cms.BackupId, CancellationToken.None))!;
        foreach (var status in new[] { BackupStatuses.VerificationFailed, BackupStatuses.Deleting, "failed" })
        {
            var id = $"{cms.BackupId}-{status.Replace('_', '-')}";
            await catalog.Backups.UpsertAsync(backup with { Id = id, Status = status }, CancellationToken.None);
            using var response = await host.Http.PostAsJsonAsync($"api/backups/{id}/restore", new { dryRun = true });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, body);
            Assert.Contains(id, JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            await catalog.Backups.DeleteAsync(id, CancellationToken.None);
        }
        await AssertNoRestoreJobsAsync(cms.ConfigId);
    }

    [Fact]
    public async Task Dry_run_previews_exactly_the_changes_made_since_the_backup_and_changes_nothing()
    {
        await using var cms = await CmsBackup.CreateAsync(host, "rpreview");
        // The site: a file edited, one added, one deleted; a file outside the components changed (never restored).
        File.WriteAllBytes(Path.Combine(cms.Site, "uploads/2024/01/photo.jpg"), new byte[1234]);
        File.WriteAllText(Path.Combine(cms.Site, "uploads/added.txt"), "new since the backup");
        File.Delete(Path.Combine(cms.Site, "themes/twentytwenty/style.css"));
        File.WriteAllText(Path.Combine(cms.Site, "cache/ignored.tmp"), "changed, but not a component");
        // The database: rows inserted, updated and deleted, a table dropped and one created.
        await cms.ExecuteAsync("""
            INSERT INTO authors (name) VALUES ('Neu'), ('Nouveau');
            UPDATE posts SET title = 'edited' WHERE id = 1;
            DELETE FROM posts WHERE id IN (2, 3, 4);
            DROP TABLE options;
            CREATE TABLE comments (id int PRIMARY KEY, body text);
            INSERT INTO comments VALUES (1, 'first');
            """);
        var siteBefore = FolderSnapshot.Take(cms.Site);
        var dbBefore = await DatabaseSnapshot.TakeAsync(cms.Database);

        using var response = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore", new { dryRun = true });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var preview = JsonDocument.Parse(body).RootElement;
        Assert.Equal(cms.BackupId, preview.GetProperty("backupId").GetString());

        var files = preview.GetProperty("files");
        Assert.Equal(["themes/twentytwenty/style.css"], Paths(files, "create"));
        Assert.Equal(["uploads/2024/01/photo.jpg"], Paths(files, "overwrite"));
        Assert.Equal(["uploads/added.txt"], Paths(files, "delete"));
        Assert.Empty(Paths(files, "skipped"));
        var unchanged = Paths(files, "unchanged");
        Assert.Contains("config/settings.php", unchanged);
        Assert.Contains("uploads/big/video.bin", unchanged);
        Assert.Contains("plugins/empty-plugin", unchanged);
        Assert.DoesNotContain(unchanged, p => p.StartsWith("cache", StringComparison.Ordinal));
        Assert.Equal(unchanged.Count, files.GetProperty("unchanged").GetProperty("count").GetInt64());
        Assert.Equal(new FileInfo(Path.Combine(cms.Site, "uploads/added.txt")).Length, files.GetProperty("delete").GetProperty("bytes").GetInt64());

        var tables = preview.GetProperty("database").GetProperty("tables").EnumerateArray()
            .ToDictionary(t => t.GetProperty("table").GetString()!, t => t);
        Assert.Equal(["public.authors", "public.comments", "public.options", "public.posts"], tables.Keys.Order(StringComparer.Ordinal));
        AssertTable(tables["public.authors"], "replace", live: 202, backup: 200);
        AssertTable(tables["public.posts"], "replace", live: 4997, backup: 5000);
        AssertTable(tables["public.options"], "create", live: null, backup: 2);
        AssertTable(tables["public.comments"], "drop", live: 1, backup: null);

        Assert.Equal(siteBefore, FolderSnapshot.Take(cms.Site));
        var dbAfter = await DatabaseSnapshot.TakeAsync(cms.Database);
        Assert.Equal(dbBefore.Tables, dbAfter.Tables);
        await AssertNoRestoreJobsAsync(cms.ConfigId);

        // A selective dry run previews only its items; a restore elsewhere previews the (new) targets, not the live ones.
        using var selective = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore",
            new { dryRun = true, type = "selective", selectiveItems = new[] { "themes/**", "table:public.options" } });
        var selectivePreview = JsonDocument.Parse(await selective.Content.ReadAsStringAsync()).RootElement;
        Assert.True(selective.StatusCode == HttpStatusCode.OK, selectivePreview.ToString());
        Assert.Equal(["themes/twentytwenty/style.css"], Paths(selectivePreview.GetProperty("files"), "create"));
        Assert.Empty(Paths(selectivePreview.GetProperty("files"), "overwrite"));
        Assert.Empty(Paths(selectivePreview.GetProperty("files"), "delete"));
        Assert.Equal(["public.options"], selectivePreview.GetProperty("database").GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()));

        var elsewhere = host.Scratch("preview-elsewhere");
        var elsewhereDb = cms.NewDatabaseName("rpreviewnew");
        using var other = await host.Http.PostAsJsonAsync($"api/backups/{cms.BackupId}/restore",
            new { dryRun = true, targetPath = elsewhere, targetDatabase = elsewhereDb });
        var otherPreview = JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement;
        Assert.True(other.StatusCode == HttpStatusCode.OK, otherPreview.ToString());
        Assert.Equal(0, otherPreview.GetProperty("files").GetProperty("overwrite").GetProperty("count").GetInt64());
        Assert.Equal(0, otherPreview.GetProperty("files").GetProperty("delete").GetProperty("count").GetInt64());
        Assert.Contains("themes/twentytwenty/style.css", Paths(otherPreview.GetProperty("files"), "create"));
        Assert.False(otherPreview.GetProperty("database").GetProperty("databaseExists").GetBoolean());
        Assert.All(otherPreview.GetProperty("database").GetProperty("tables").EnumerateArray(), t => Assert.Equal("create", t.GetProperty("action").GetString()));
        Assert.False(Directory.Exists(elsewhere));
        Assert.False(await CmsBackup.DatabaseExistsAsync(elsewhereDb));
    }

    [Fact]
    public async Task Point_in_time_picks_the_newest_backup_made_at_or_before_the_instant_and_restore_points_list_newest_first()
    {
        await using var cms = await CmsBackup.CreateAsync(host, "rpit");
        await cms.BackUpAsync();
        await cms.BackUpAsync();
        var created = new List<DateTimeOffset>();
        foreach (var id in cms.Backups)
            created.Add((await host.Http.GetFromJsonAsync<JsonElement>($"api/backups/{id}")).GetProperty("createdAt").GetDateTimeOffset());
        Assert.True(created[0] < created[1] && created[1] < created[2], string.Join(", ", created));

        // A backup that failed verification, newer than all: never a restore point.
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var newest = (await catalog.Backups.GetAsync(cms.Backups[2], CancellationToken.None))!;
        var suspectId = cms.Backups[2] + "-suspect";
        await catalog.Backups.UpsertAsync(newest with
        {
            Id = suspectId,
            Status = BackupStatuses.VerificationFailed,
            CreatedAt = created[2].AddMinutes(1),
        }, CancellationToken.None);

        var points = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups?configId={cms.ConfigId}");
        Assert.Equal([cms.Backups[2], cms.Backups[1], cms.Backups[0]], Ids(points));
        var first = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups?configId={cms.ConfigId}&pageSize=2");
        Assert.Equal([cms.Backups[2], cms.Backups[1]], Ids(first));
        var token = first.GetProperty("continuationToken").GetString()!;
        var second = await host.Http.GetFromJsonAsync<JsonElement>($"api/backups?configId={cms.ConfigId}&pageSize=2&continuationToken={Uri.EscapeDataString(token)}");
        Assert.Equal([cms.Backups[0]], Ids(second));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("continuationToken").ValueKind);
        using (var badToken = await host.Http.GetAsync($"api/backups?configId={cms.ConfigId}&continuationToken=nonsense"))
            await ProblemAssert.NamesFieldAsync(badToken, "continuationToken");

        async Task<string> ChosenAsync(DateTimeOffset instant)
        {
            using var response = await host.Http.PostAsJsonAsync($"api/backup-configs/{cms.ConfigId}/restore", new { pointInTime = instant, dryRun = true });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("backupId").GetString()!;
        }

        Assert.Equal(cms.Backups[0], await ChosenAsync(created[0]));
        Assert.Equal(cms.Backups[0], await ChosenAsync(created[0] + (created[1] - created[0]) / 2));
        Assert.Equal(cms.Backups[1], await ChosenAsync(created[1]));
        Assert.Equal(cms.Backups[1], await ChosenAsync(created[2].AddTicks(-1)));
        Assert.Equal(cms.Backups[2], await ChosenAsync(created[2].AddMinutes(5)));

        using (var before = await host.Http.PostAsJsonAsync($"api/backup-configs/{cms.ConfigId}/restore", new { pointInTime = created[0].AddSeconds(-1) }))
        {
            var body = await before.Content.ReadAsStringAsync();
            Assert.True(before.StatusCode == HttpStatusCode.NotFound, body);
            Assert.Contains("at or before", body, StringComparison.Ordinal);
        }
        using (var missing = await host.Http.PostAsJsonAsync($"api/backup-configs/{cms.ConfigId}/restore", new { dryRun = true }))
            await ProblemAssert.NamesFieldAsync(missing, "pointInTime");
        using (var bad = await host.Http.PostAsJsonAsync($"api/backup-configs/{cms.ConfigId}/restore", new { pointInTime = created[1], targetPath = "../x" }))
            await ProblemAssert.NamesFieldAsync(bad, "targetPath");
        await catalog.Backups.DeleteAsync(suspectId, CancellationToken.None);
        await AssertNoRestoreJobsAsync(cms.ConfigId);
    }

    [Fact]
    public async Task Restore_jobs_are_listed_newest_first_filtered_by_config_and_status_and_read_with_their_logs()
    {
        // Rows as the restore orchestration writes them; what is under test is the API reading them.
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var logs = host.Host.Services.GetRequiredService<JobLogs>();
        var configId = "cfg-" + Guid.NewGuid().ToString("N")[..12];
        var otherConfig = "cfg-" + Guid.NewGuid().ToString("N")[..12];
        var start = DateTimeOffset.UtcNow;
        var statuses = new[] { RestoreJobStatus.Completed, RestoreJobStatus.RolledBack, RestoreJobStatus.Failed, RestoreJobStatus.Completed };
        var ids = new List<string>();
        for (var i = 0; i < statuses.Length; i++)
        {
            var at = start.AddSeconds(i);
            var job = new RestoreJob
            {
                Id = RestoreJobsTable.NewId(at),
                ConfigId = configId,
                BackupId = "bkp-" + i,
                Status = statuses[i],
                Options = new RestoreOptions { Type = RestoreType.Selective, SelectiveItems = ["uploads/**"], CreatePreRestoreBackup = false },
                PreRestoreBackupId = "bkp-pre-" + i,
                Result = new RestoreJobResult { FilesCreated = i, FilesOverwritten = 2, Bytes = 100 },
                Error = statuses[i] == RestoreJobStatus.RolledBack ? "the database restore failed; files put back" : null,
                CreatedAt = at,
                StartedAt = at,
                CompletedAt = at.AddSeconds(1),
            };
            Assert.True(await catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None));
            ids.Add(job.Id);
        }
        Assert.True(await catalog.RestoreJobs.TryCreateAsync(new RestoreJob
        {
            Id = RestoreJobsTable.NewId(start.AddSeconds(10)),
            ConfigId = otherConfig,
            BackupId = "bkp-x",
            CreatedAt = start.AddSeconds(10),
        }, CancellationToken.None));
        await logs.WriteAsync(ids[1], JobLogLevel.Info, "Files swapped in", new { components = 4 }, CancellationToken.None);
        await logs.WriteAsync(ids[1], JobLogLevel.Error, "Rolled back", null, CancellationToken.None);

        var all = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs?configId={configId}&pageSize=100");
        Assert.Equal(Enumerable.Reverse(ids), Ids(all));
        var completed = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs?configId={configId}&status=completed&pageSize=100");
        Assert.Equal([ids[3], ids[0]], Ids(completed));
        var rolledBack = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs?configId={configId}&status=rolled_back");
        Assert.Equal([ids[1]], Ids(rolledBack));
        var paged = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs?configId={configId}&pageSize=1");
        Assert.True(paged.GetProperty("items").GetArrayLength() <= 1);
        using (var badStatus = await host.Http.GetAsync("api/restore-jobs?status=rolledback"))
            await ProblemAssert.NamesFieldAsync(badStatus, "status");
        using (var badConfig = await host.Http.GetAsync("api/restore-jobs?configId=../x"))
            await ProblemAssert.NamesFieldAsync(badConfig, "configId");

        var one = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs/{ids[1]}");
        Assert.Equal("rolled_back", one.GetProperty("status").GetString());
        Assert.Equal("bkp-1", one.GetProperty("backupId").GetString());
        Assert.Equal("bkp-pre-1", one.GetProperty("preRestoreBackupId").GetString());
        Assert.Equal("selective", one.GetProperty("options").GetProperty("type").GetString());
        Assert.Equal("uploads/**", one.GetProperty("options").GetProperty("selectiveItems")[0].GetString());
        Assert.Equal(2, one.GetProperty("result").GetProperty("filesOverwritten").GetInt64());
        Assert.Contains("files put back", one.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(one.TryGetProperty("progress", out _));
        Assert.True(one.TryGetProperty("completedAt", out _));

        var log = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs/{ids[1]}/logs");
        Assert.Equal(["Files swapped in", "Rolled back"], log.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("message").GetString()));
        using (var unknown = await host.Http.GetAsync("api/restore-jobs/rst-000000000000000000000000"))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var unknownLogs = await host.Http.GetAsync("api/restore-jobs/rst-000000000000000000000000/logs"))
            Assert.Equal(HttpStatusCode.NotFound, unknownLogs.StatusCode);
    }

    [Fact]
    public async Task Cancel_ends_a_pending_restore_whose_orchestration_never_started_and_refuses_a_finished_one()
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var configId = "cfg-" + Guid.NewGuid().ToString("N")[..12];
        var now = DateTimeOffset.UtcNow;
        // A start that died between writing the row and starting the orchestration leaves this.
        var orphan = new RestoreJob { Id = RestoreJobsTable.NewId(now), ConfigId = configId, BackupId = "bkp-a", CreatedAt = now };
        var finished = new RestoreJob
        {
            Id = RestoreJobsTable.NewId(now.AddSeconds(1)),
            ConfigId = configId,
            BackupId = "bkp-b",
            Status = RestoreJobStatus.Completed,
            CreatedAt = now,
            CompletedAt = now,
        };
        Assert.True(await catalog.RestoreJobs.TryCreateAsync(orphan, CancellationToken.None));
        Assert.True(await catalog.RestoreJobs.TryCreateAsync(finished, CancellationToken.None));

        using (var cancel = await host.Http.PostAsync($"api/restore-jobs/{orphan.Id}/cancel", null))
        {
            var body = await cancel.Content.ReadAsStringAsync();
            Assert.True(cancel.StatusCode == HttpStatusCode.Accepted, body);
            Assert.Equal($"/api/restore-jobs/{orphan.Id}", cancel.Headers.Location?.OriginalString);
            var job = JsonDocument.Parse(body).RootElement;
            Assert.Equal("cancelled", job.GetProperty("status").GetString());
            Assert.True(job.GetProperty("cancelRequested").GetBoolean());
        }
        using (var again = await host.Http.PostAsync($"api/restore-jobs/{orphan.Id}/cancel", null))
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        using (var done = await host.Http.PostAsync($"api/restore-jobs/{finished.Id}/cancel", null))
        {
            var body = await done.Content.ReadAsStringAsync();
            Assert.True(done.StatusCode == HttpStatusCode.Conflict, body);
            Assert.Contains("completed", body, StringComparison.Ordinal);
        }
        Assert.False((await catalog.RestoreJobs.GetAsync(finished.Id, CancellationToken.None))!.CancelRequested);
        using (var unknown = await host.Http.PostAsync("api/restore-jobs/rst-000000000000000000000000/cancel", null))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private async Task AssertNoRestoreJobsAsync(string configId)
    {
        var jobs = await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs?configId={configId}&pageSize=100");
        Assert.Empty(jobs.GetProperty("items").EnumerateArray());
    }

    private static List<string> Paths(JsonElement files, string group)
        => [.. files.GetProperty(group).GetProperty("paths").EnumerateArray().Select(p => p.GetString()!)];

    private static List<string> Ids(JsonElement page)
        => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!)];

    private static void AssertTable(JsonElement table, string action, long? live, long? backup)
    {
        Assert.Equal(action, table.GetProperty("action").GetString());
        Assert.Equal(live, table.GetProperty("liveRows").ValueKind == JsonValueKind.Null ? null : table.GetProperty("liveRows").GetInt64());
        Assert.Equal(backup, table.GetProperty("backupRows").ValueKind == JsonValueKind.Null ? null : table.GetProperty("backupRows").GetInt64());
    }
}
