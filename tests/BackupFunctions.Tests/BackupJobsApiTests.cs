using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Tests.Support;
using BackupFunctions.Timers;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace BackupFunctions.Tests;

/// <summary>The jobs API over real HTTP on the local host: list, cancel (with cleanup everywhere), logs, and the watchdog's adapter.</summary>
public sealed class BackupJobsApiTests(LocalHostFixture host) : IClassFixture<LocalHostFixture>
{
    [Fact]
    public async Task Cancelling_a_running_backup_leaves_no_objects_behind_in_any_destination()
    {
        var database = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("cancel"));
        var prefix = "cancel-" + Guid.NewGuid().ToString("N")[..6];
        var replicaPath = "replica-" + prefix;
        try
        {
            var configId = await host.CreateConfigAsync(new
            {
                name = "cancel me",
                database = new { host = database.Host, port = database.Port, database = database.Database, username = database.Username },
                files = new { root = SampleCms.CreateSite(host.Scratch("site")) },
                schedule = new { frequency = "manual" },
                storage = new { type = "azureBlob", container = host.Container, prefix },
                replicas = new[] { new { type = "local", path = replicaPath, prefix } },
            });

            // A transaction holding an exclusive lock on a table: the dump step waits on it (as on a busy production
            // table) and stays running until it is cancelled; the files part is written meanwhile.
            await using var locker = new NpgsqlConnection(SampleCms.ConnectionString(database));
            await locker.OpenAsync();
            await using var transaction = await locker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE posts IN ACCESS EXCLUSIVE MODE", locker, transaction))
                await lockTable.ExecuteNonQueryAsync();

            using var started = await host.Http.PostAsJsonAsync("api/backups", new { configId });
            var jobId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
            var primary = host.Host.Services.GetRequiredService<BackupStoreFactory>()
                .Create(new StorageDestination { Type = "azureBlob", Container = host.Container, Prefix = prefix });
            var folder = ObjectNames.BackupFolder(prefix, jobId);
            // All the files (the site's media go into a volume of their own) and their index, while the dump waits.
            await WaitUntilAsync(async () => (await LogsAsync(jobId)).Any(e => e.GetProperty("message").GetString() == "Files archived"),
                TimeSpan.FromMinutes(1), "the files part to be written while the dump waits");
            Assert.Contains(await primary.ListAsync(folder, default).ToListAsync(), o => o.Name.EndsWith(ObjectNames.FirstFilesVolume, StringComparison.Ordinal));
            var running = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{jobId}");
            Assert.Equal("running", running.GetProperty("status").GetString());

            var clock = Stopwatch.StartNew();
            using var cancel = await host.Http.PostAsync($"api/backup-jobs/{jobId}/cancel", null);
            var cancelBody = await cancel.Content.ReadAsStringAsync();
            Assert.True(cancel.StatusCode == HttpStatusCode.Accepted, cancelBody);
            Assert.True(JsonDocument.Parse(cancelBody).RootElement.GetProperty("cancelRequested").GetBoolean());
            Assert.Equal($"/api/backup-jobs/{jobId}", cancel.Headers.Location?.ToString());

            JsonElement job;
            try
            {
                job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(e.Message + "\n" + string.Join("\n", host.Logs.Lines.TakeLast(60)), e);
            }
            clock.Stop();
            Assert.True(job.GetProperty("status").GetString() == "cancelled", job.ToString());
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"cancelled after {clock.Elapsed}");
            Assert.Equal(JsonValueKind.String, job.GetProperty("completedAt").ValueKind);
            Assert.Equal(JsonValueKind.Null, job.GetProperty("backupId").ValueKind);

            // Nothing of the run anywhere: not in the primary container, not in the replica folder, not in the catalog.
            Assert.Empty(await primary.ListAsync(folder, default).ToListAsync());
            var replicaRoot = Path.Combine(host.LocalRoot, replicaPath);
            Assert.True(!Directory.Exists(replicaRoot) || Directory.EnumerateFiles(replicaRoot, "*", SearchOption.AllDirectories).All(f => !f.Contains(jobId, StringComparison.Ordinal)));
            using (var backup = await host.Http.GetAsync($"api/backups/{jobId}"))
                Assert.Equal(HttpStatusCode.NotFound, backup.StatusCode);

            using (var again = await host.Http.PostAsync($"api/backup-jobs/{jobId}/cancel", null))
            {
                Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
                Assert.Contains("cancelled", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            var messages = (await LogsAsync(jobId)).Select(e => e.GetProperty("message").GetString()).ToList();
            Assert.Equal("Backup started", messages[0]);
            Assert.Contains("Files archived", messages);
            Assert.DoesNotContain("Database dumped", messages);
            Assert.True(messages.IndexOf("Cancel requested") < messages.IndexOf("Partial objects removed"), string.Join(" | ", messages));
            Assert.Equal("Backup cancelled", messages[^1]);
            await transaction.RollbackAsync();
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(database.Database);
        }
    }

    [Fact]
    public async Task A_finished_job_cannot_be_cancelled_and_lists_filters_and_logs_show_it()
    {
        var configId = await host.CreateConfigAsync(new
        {
            name = "jobs api",
            files = new { root = SampleCms.CreateSite(host.Scratch("site")), components = new[] { "config", "uploads" } },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "jobs-" + Guid.NewGuid().ToString("N")[..6] },
        });
        using var started = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, TimeSpan.FromMinutes(2));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        var progress = job.GetProperty("progress");
        Assert.Equal(0, progress.GetProperty("eta").GetInt64());
        Assert.True(progress.TryGetProperty("speed", out _));
        Assert.False(progress.TryGetProperty("sampledAt", out _));

        using (var cancel = await host.Http.PostAsync($"api/backup-jobs/{jobId}/cancel", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, cancel.StatusCode);
            Assert.Contains("completed", await cancel.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using (var unknown = await host.Http.PostAsync("api/backup-jobs/0000000000000000000-cfg-none/cancel", null))
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using (var unknownLogs = await host.Http.GetAsync("api/backup-jobs/0000000000000000000-cfg-none/logs"))
            Assert.Equal(HttpStatusCode.NotFound, unknownLogs.StatusCode);

        // The list: this config's completed jobs, newest first; a status that does not exist is a 400 naming the field.
        var listed = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs?configId={configId}&status=completed&pageSize=5");
        Assert.Equal([jobId], listed.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        var none = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs?configId={configId}&status=failed");
        Assert.Empty(none.GetProperty("items").EnumerateArray());
        using (var bad = await host.Http.GetAsync("api/backup-jobs?status=done"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("completed_with_warnings", problem.GetProperty("errors").GetProperty("status")[0].GetString(), StringComparison.Ordinal);
        }
        using (var badSize = await host.Http.GetAsync("api/backup-jobs?pageSize=0"))
            Assert.Equal(HttpStatusCode.BadRequest, badSize.StatusCode);

        var entries = await LogsAsync(jobId, pageSize: 2);
        Assert.Equal(["Backup started", "Files planned", "Files archived", "Manifest written", "Copy 0 made", "Backup completed"],
            entries.Select(e => e.GetProperty("message").GetString()));
        Assert.All(entries, e => Assert.Equal("info", e.GetProperty("level").GetString()));
        var archived = entries[2].GetProperty("context");
        Assert.True(archived.GetProperty("files").GetInt64() > 0);
        Assert.True(archived.GetProperty("bytes").GetInt64() > 0);
    }

    [Fact]
    public async Task The_watchdog_timer_fails_a_running_job_whose_orchestration_does_not_exist()
    {
        var catalog = host.Host.Services.GetRequiredService<BackupCatalog>();
        var now = DateTimeOffset.UtcNow;
        var job = new BackupJob
        {
            Id = JobIds.ForManual("cfg-orphan", now, "0bad"),
            ConfigId = "cfg-orphan",
            Trigger = "manual",
            Status = JobStatus.Running,
            CreatedAt = now.AddMinutes(-10),
            LastUpdatedAt = now.AddMinutes(-10),
        };
        Assert.True(await catalog.Jobs.TryCreateAsync(job, default));

        await new JobWatchdogTimer(host.Host.Services.GetRequiredService<JobWatchdog>())
            .Run(new TimerInfo(), host.Host.Services.GetRequiredService<DurableTaskClient>(), default);

        var after = await host.Http.GetFromJsonAsync<JsonElement>($"api/backup-jobs/{job.Id}");
        Assert.Equal("failed", after.GetProperty("status").GetString());
        Assert.Contains("orchestration no longer exists", after.GetProperty("error").GetString(), StringComparison.Ordinal);
        var entries = await LogsAsync(job.Id);
        Assert.Contains(entries, e => e.GetProperty("level").GetString() == "error" && e.GetProperty("message").GetString() == "Watchdog: job orphaned");
    }

    /// <summary>Every log entry of the job, page by page.</summary>
    private async Task<List<JsonElement>> LogsAsync(string jobId, int pageSize = 50)
    {
        var entries = new List<JsonElement>();
        string? token = null;
        do
        {
            var url = $"api/backup-jobs/{jobId}/logs?pageSize={pageSize}" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}");
            var page = await host.Http.GetFromJsonAsync<JsonElement>(url);
            entries.AddRange(page.GetProperty("items").EnumerateArray());
            token = page.GetProperty("continuationToken").GetString();
        }
        while (token is not null);
        return entries;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
