using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Durable;
using BackupFunctions.Tests.Support;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace BackupFunctions.Tests;

/// <summary>
/// The restore orchestration on the local host against real PostgreSQL and Azurite: a restore job row written and
/// started as the restore API does (claim, pending row, <see cref="DurableRestoreStarter"/>), run by the Durable
/// orchestration into the live site and database, and the live state compared afterwards.
/// </summary>
public sealed class RestoreOrchestrationTests(RestoreHostFixture host, ITestOutputHelper output) : IClassFixture<RestoreHostFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private BackupCatalog Catalog => host.Host.Services.GetRequiredService<BackupCatalog>();

    private DurableRestoreStarter Starter => new(host.Host.Services.GetRequiredService<DurableTaskClient>());

    [Fact]
    public async Task A_full_in_place_restore_brings_back_the_backed_up_site_and_database_after_a_pre_restore_backup()
    {
        var cms = await NewCmsAsync();
        try
        {
            var (configId, backupId) = await BackUpAsync(cms);
            var backedUp = await SnapshotAsync(cms);
            await ChangeAsync(cms);
            var changed = await SnapshotAsync(cms);
            Assert.NotEqual(backedUp.Files, changed.Files);

            var job = await RunRestoreAsync(configId, backupId, new RestoreOptions());

            Assert.True(job.Status == RestoreJobStatus.Completed, $"{job.Status}: {job.Error}");
            var restored = await SnapshotAsync(cms);
            Assert.Equal(backedUp.Files, restored.Files);
            AssertSameDatabase(backedUp.Database, restored.Database);
            AssertNoLeftovers(cms.SiteRoot);

            // What it changed: seo.php deleted after the backup comes back, new.css added after it goes.
            var result = Assert.IsType<RestoreJobResult>(job.Result);
            Assert.Equal(1, result.FilesCreated);
            Assert.Equal(1, result.FilesDeleted);
            Assert.True(result.FilesOverwritten > 0);
            Assert.Contains(result.Tables, t => t.Table == "public.options" && t.Rows == 2);
            Assert.True(result.DurationSeconds > 0);
            Assert.Equal(100, job.Progress.Percentage);
            Assert.Null(job.Progress.CurrentStep);

            // The pre-restore backup: a backup of the config with trigger pre-restore, of the changed state.
            var preRestoreId = Assert.IsType<string>(job.PreRestoreBackupId);
            var preRestore = Assert.IsType<BackupRecord>(await Catalog.Backups.GetAsync(preRestoreId, default));
            Assert.Equal("pre-restore", preRestore.Trigger);
            Assert.Equal(configId, preRestore.ConfigId);
            Assert.Equal("pre-restore", (await Catalog.Jobs.GetAsync(preRestoreId, default))!.Trigger);
            Assert.Equal("manual", (await Catalog.Backups.GetAsync(backupId, default))!.Trigger);

            var logs = await host.Host.Services.GetRequiredService<JobLogs>().ListAsync(job.Id, 100, null, default);
            var messages = logs.Items.Select(l => l.Message).ToList();
            Assert.Equal(["Restore started", "Pre-restore backup started", "Pre-restore backup completed", "Backup proven", "Files staged",
                "Files swapped in", "Database restored", "Restored files verified", "Restore completed"], messages);

            // Restoring the pre-restore backup brings back the changed state.
            var undo = await RunRestoreAsync(configId, preRestoreId, new RestoreOptions { CreatePreRestoreBackup = false });
            Assert.True(undo.Status == RestoreJobStatus.Completed, $"{undo.Status}: {undo.Error}");
            Assert.Null(undo.PreRestoreBackupId);
            var undone = await SnapshotAsync(cms);
            Assert.Equal(changed.Files, undone.Files);
            AssertSameDatabase(changed.Database, undone.Database);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    /// <summary>
    /// Progress as backup jobs have it, polled from the job's row all through a run: while running, the step and the
    /// files and bytes processed (extracted into staging, later checked by the verification pass) of the totals from the
    /// backup's manifest; once completed, all of them — through the API as well.
    /// </summary>
    [Fact]
    public async Task A_running_restore_reports_files_processed_of_the_total_and_a_completed_one_all_of_them()
    {
        var cms = await NewCmsAsync();
        try
        {
            var (configId, backupId) = await BackUpAsync(cms);
            var statistics = (await Catalog.Backups.GetAsync(backupId, default))!.Statistics;
            Assert.True(statistics.Files > 1, $"the sample site has {statistics.Files} files");
            await ChangeAsync(cms);

            var id = await StartRestoreAsync(configId, backupId, new RestoreOptions { CreatePreRestoreBackup = false });
            var running = new List<JobProgress>();
            var deadline = DateTime.UtcNow + Timeout;
            while (await Catalog.RestoreJobs.GetAsync(id, default) is { IsFinished: false } seen && DateTime.UtcNow < deadline)
            {
                if (seen.Status == RestoreJobStatus.Running)
                    running.Add(seen.Progress);
                await Task.Delay(20);
            }
            var job = await WaitForRestoreAsync(id);

            Assert.True(job.Status == RestoreJobStatus.Completed, $"{job.Status}: {job.Error}");
            foreach (var step in running.Select(p => (p.CurrentStep, p.ProcessedFiles, p.TotalFiles, p.ProcessedBytes, p.TotalBytes)).Distinct())
                output.WriteLine($"{step.CurrentStep}: {step.ProcessedFiles}/{step.TotalFiles} files, {step.ProcessedBytes}/{step.TotalBytes} bytes");
            Assert.All(running, p => Assert.InRange(p.ProcessedFiles, 0, p.TotalFiles));
            Assert.All(running, p => Assert.InRange(p.ProcessedBytes, 0, p.TotalBytes));
            // From the proof on, the totals are the backup's files (a full restore writes all of them).
            var afterProof = running.Where(p => p.CurrentStep is RestoreJobSteps.StageFiles or RestoreJobSteps.SwapFiles
                or RestoreJobSteps.RestoreDatabase or RestoreJobSteps.Verify).ToList();
            Assert.NotEmpty(afterProof);
            Assert.All(afterProof, p => Assert.Equal((statistics.Files, statistics.FilesBytes), (p.TotalFiles, p.TotalBytes)));
            // Mid-run: files processed, fewer than or as many as the total, and the step named.
            Assert.Contains(running, p => p.ProcessedFiles > 0 && p.ProcessedBytes > 0 && p.CurrentStep is not null);

            Assert.Equal((statistics.Files, statistics.Files), (job.Progress.ProcessedFiles, job.Progress.TotalFiles));
            Assert.Equal((statistics.FilesBytes, statistics.FilesBytes), (job.Progress.ProcessedBytes, job.Progress.TotalBytes));
            var shown = (await host.Http.GetFromJsonAsync<JsonElement>($"api/restore-jobs/{id}")).GetProperty("progress");
            Assert.Equal(statistics.Files, shown.GetProperty("processedFiles").GetInt64());
            Assert.Equal(statistics.Files, shown.GetProperty("totalFiles").GetInt64());
            Assert.Equal(statistics.FilesBytes, shown.GetProperty("processedBytes").GetInt64());
            Assert.Equal(100, shown.GetProperty("percentage").GetDouble());
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Fact]
    public async Task A_database_restore_blocked_by_another_sessions_lock_ends_rolled_back_with_site_and_database_as_before()
    {
        var cms = await NewCmsAsync();
        try
        {
            var (configId, backupId) = await BackUpAsync(cms);
            await ChangeAsync(cms);
            var before = await SnapshotAsync(cms);

            RestoreJob job;
            await using (var holder = await HoldLockAsync(cms.Database))
            {
                job = await RunRestoreAsync(configId, backupId, new RestoreOptions());
            }

            Assert.True(job.Status == RestoreJobStatus.RolledBack, $"{job.Status}: {job.Error}");
            Assert.Contains("RestoreDatabase failed", job.Error, StringComparison.Ordinal);
            Assert.Contains("lock timeout", job.Error, StringComparison.Ordinal);
            Assert.Contains("Rolled back: the site's components", job.Error, StringComparison.Ordinal);
            Assert.Contains("the database was not changed", job.Error, StringComparison.Ordinal);
            Assert.NotNull(job.PreRestoreBackupId);
            var after = await SnapshotAsync(cms);
            Assert.Equal(before.Files, after.Files);
            AssertSameDatabase(before.Database, after.Database);
            AssertNoLeftovers(cms.SiteRoot);

            var alert = await Catalog.Alerts.GetAsync(AlertTypes.IdFor(AlertTypes.RestoreFailed, configId), default);
            Assert.NotNull(alert);
            Assert.Equal(AlertSeverities.High, alert.Severity);
            Assert.Contains(job.Id, alert.Message, StringComparison.Ordinal);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Fact]
    public async Task A_cancel_after_the_swap_ends_rolled_back_with_nothing_half_restored()
    {
        var cms = await NewCmsAsync();
        try
        {
            var (configId, backupId) = await BackUpAsync(cms);
            await ChangeAsync(cms);
            var before = await SnapshotAsync(cms);

            RestoreJob job;
            await using (var holder = await HoldLockAsync(cms.Database))
            {
                // The held lock keeps the database step waiting, after the files were swapped in: cancel then.
                var id = await StartRestoreAsync(configId, backupId, new RestoreOptions());
                await WaitForStepAsync(id, RestoreJobSteps.RestoreDatabase);
                Assert.False(before.Files.SequenceEqual(FolderSnapshot.Take(cms.SiteRoot, FilesSource.DefaultComponents)),
                    "the backup's files should be swapped in by now");
                await Catalog.RestoreJobs.UpdateAsync(id, j => j with { CancelRequested = true }, default);
                await Starter.RequestCancelAsync(id, default);
                job = await WaitForRestoreAsync(id);
            }

            Assert.True(job.Status == RestoreJobStatus.RolledBack, $"{job.Status}: {job.Error}");
            Assert.StartsWith("Cancelled on request.", job.Error, StringComparison.Ordinal);
            var after = await SnapshotAsync(cms);
            Assert.Equal(before.Files, after.Files);
            AssertSameDatabase(before.Database, after.Database);
            AssertNoLeftovers(cms.SiteRoot);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Fact]
    public async Task When_a_committed_database_cannot_be_put_back_the_job_fails_with_a_critical_alert_naming_the_state()
    {
        var cms = await NewCmsAsync();
        try
        {
            var (configId, backupId) = await BackUpAsync(cms);
            var backedUp = await SnapshotAsync(cms);
            await ChangeAsync(cms);
            var before = await SnapshotAsync(cms);

            // No pre-restore backup, and a restored file changed by someone else while the database step waits for a
            // lock: the verification after the database commit fails, the files roll back, the database cannot. The
            // file is one the restore wrote (it had changed since the backup): an unchanged file would be the live
            // inode itself, reused, and a write into it survives the rollback like any write into the live site.
            string id;
            await using (var holder = await HoldLockAsync(cms.Database))
            {
                id = await StartRestoreAsync(configId, backupId, new RestoreOptions { CreatePreRestoreBackup = false });
                await WaitForStepAsync(id, RestoreJobSteps.RestoreDatabase);
                await File.WriteAllTextAsync(Path.Combine(cms.SiteRoot, "uploads", "empty.txt"), "body { color: red; }\n");
            }
            var job = await WaitForRestoreAsync(id);

            Assert.True(job.Status == RestoreJobStatus.Failed, $"{job.Status}: {job.Error}");
            Assert.Contains("VerifyRestore failed", job.Error, StringComparison.Ordinal);
            var alert = await Catalog.Alerts.GetAsync(AlertTypes.IdFor(AlertTypes.RestoreFailed, configId), default);
            Assert.NotNull(alert);
            Assert.Equal(AlertSeverities.Critical, alert.Severity);
            Assert.Contains("Site files: put back as before the restore.", alert.Message, StringComparison.Ordinal);
            Assert.Contains($"Database: NOT put back — it holds the restore of backup {backupId}.", alert.Message, StringComparison.Ordinal);
            Assert.Contains("No pre-restore backup was taken", alert.Message, StringComparison.Ordinal);
            output.WriteLine(alert.Message);

            // Exactly that state: the files as before the restore, the database as in the backup.
            var after = await SnapshotAsync(cms);
            Assert.Equal(before.Files, after.Files);
            AssertSameDatabase(backedUp.Database, after.Database);
            AssertNoLeftovers(cms.SiteRoot);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Fact]
    public async Task A_tampered_database_part_fails_the_job_before_anything_live_changes()
    {
        var cms = await NewCmsAsync();
        try
        {
            var (configId, backupId) = await BackUpAsync(cms);
            var config = (await Catalog.Configs.GetAsync(configId, default))!.Config;
            var blob = new Azure.Storage.Blobs.BlobContainerClient(TestEnvironment.AzuriteConnectionString, host.Container)
                .GetBlobClient(Core.Backups.ObjectNames.BackupFolder(config.Storage.Prefix, backupId) + Core.Backups.ObjectNames.Database);
            var content = (await blob.DownloadContentAsync()).Value.Content.ToArray();
            content[content.Length / 2] ^= 0x01;
            await blob.UploadAsync(new BinaryData(content), overwrite: true);
            await ChangeAsync(cms);
            var before = await SnapshotAsync(cms);

            var job = await RunRestoreAsync(configId, backupId, new RestoreOptions { CreatePreRestoreBackup = false });

            Assert.True(job.Status == RestoreJobStatus.Failed, $"{job.Status}: {job.Error}");
            Assert.StartsWith("ProveRestore failed:", job.Error, StringComparison.Ordinal);
            Assert.Contains("db.part", job.Error, StringComparison.Ordinal);
            Assert.EndsWith("Nothing live was changed.", job.Error, StringComparison.Ordinal);
            Assert.Null(job.Result);
            var after = await SnapshotAsync(cms);
            Assert.Equal(before.Files, after.Files);
            AssertSameDatabase(before.Database, after.Database);
            AssertNoLeftovers(cms.SiteRoot);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    [Fact]
    public async Task A_cancel_during_the_pre_restore_backup_cancels_that_backup_too_and_changes_nothing()
    {
        var cms = await NewCmsAsync();
        try
        {
            var (configId, backupId) = await BackUpAsync(cms);
            await ChangeAsync(cms);
            var before = await SnapshotAsync(cms);

            var id = await StartRestoreAsync(configId, backupId, new RestoreOptions());
            await WaitForStepAsync(id, RestoreJobSteps.PreRestoreBackup);
            await Catalog.RestoreJobs.UpdateAsync(id, j => j with { CancelRequested = true }, default);
            await Starter.RequestCancelAsync(id, default);
            var job = await WaitForRestoreAsync(id);

            Assert.True(job.Status == RestoreJobStatus.Cancelled, $"{job.Status}: {job.Error}");
            Assert.Equal("Cancelled on request. Nothing live was changed.", job.Error);
            Assert.Null(job.PreRestoreBackupId);
            var created = (await Catalog.RestoreJobs.GetAsync(id, default))!.CreatedAt;
            var backupJob = await Catalog.Jobs.GetAsync(Core.Catalog.JobIds.ForPreRestore(configId, created, id), default);
            Assert.NotNull(backupJob);
            Assert.Equal("pre-restore", backupJob.Trigger);
            Assert.True(backupJob.IsFinished, $"the pre-restore backup job is {backupJob.Status}");
            output.WriteLine($"pre-restore backup job {backupJob.Id}: {backupJob.Status} {backupJob.Error}");
            Assert.True(backupJob.Status is Core.Catalog.JobStatus.Cancelled or Core.Catalog.JobStatus.Completed, $"{backupJob.Status}: {backupJob.Error}");
            var after = await SnapshotAsync(cms);
            Assert.Equal(before.Files, after.Files);
            AssertSameDatabase(before.Database, after.Database);
            AssertNoLeftovers(cms.SiteRoot);
        }
        finally
        {
            await SampleCms.DropDatabaseAsync(cms.Database.Database);
        }
    }

    // --- helpers ---

    private sealed record Snapshot(SortedDictionary<string, string> Files, DatabaseSnapshot Database);

    private static async Task<Snapshot> SnapshotAsync((PostgresConnectionInfo Database, string SiteRoot) cms)
        => new(FolderSnapshot.Take(cms.SiteRoot, FilesSource.DefaultComponents), await DatabaseSnapshot.TakeAsync(cms.Database));

    private static void AssertSameDatabase(DatabaseSnapshot expected, DatabaseSnapshot actual)
    {
        Assert.Equal(expected.Tables, actual.Tables);
        Assert.Equal(expected.Sequences, actual.Sequences);
        Assert.Equal(expected.Views, actual.Views);
        Assert.Equal(expected.Indexes, actual.Indexes);
    }

    private static void AssertNoLeftovers(string siteRoot)
        => Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(siteRoot).Select(Path.GetFileName),
            n => n!.StartsWith(".bf-restore-", StringComparison.Ordinal) || n.Contains(".replaced-", StringComparison.Ordinal));

    /// <summary>Files edited, added and deleted; rows inserted, updated and deleted; a table dropped.</summary>
    private static async Task ChangeAsync((PostgresConnectionInfo Database, string SiteRoot) cms)
    {
        await File.WriteAllTextAsync(Path.Combine(cms.SiteRoot, "uploads", "empty.txt"), "not empty any more\n");
        await File.WriteAllTextAsync(Path.Combine(cms.SiteRoot, "themes", "twentytwenty", "new.css"), "p { margin: 0; }\n");
        File.Delete(Path.Combine(cms.SiteRoot, "plugins", "seo", "seo.php"));
        await using var connection = new NpgsqlConnection(SampleCms.ConnectionString(cms.Database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO authors (name) VALUES ('Neu');
            UPDATE posts SET title = 'changed' WHERE id <= 10;
            DELETE FROM posts WHERE id > 4990;
            DROP TABLE options;
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Another session holding a lock on <c>posts</c> that the restore needs (readers still pass) until disposed.</summary>
    private static async Task<NpgsqlConnection> HoldLockAsync(PostgresConnectionInfo db)
    {
        var connection = new NpgsqlConnection(SampleCms.ConnectionString(db));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("BEGIN; LOCK TABLE posts IN ACCESS SHARE MODE;", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    private async Task<(string ConfigId, string BackupId)> BackUpAsync((PostgresConnectionInfo Database, string SiteRoot) cms)
    {
        var configId = await host.CreateConfigAsync(new
        {
            name = "Restored CMS",
            database = new { host = cms.Database.Host, port = cms.Database.Port, database = cms.Database.Database, username = cms.Database.Username },
            files = new { root = cms.SiteRoot },
            schedule = new { frequency = "manual" },
            storage = new { type = "azureBlob", container = host.Container, prefix = "restore-" + Guid.NewGuid().ToString("N")[..8] },
        });
        using var response = await host.Http.PostAsJsonAsync("api/backups", new { configId });
        var jobId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(host.Http, jobId, Timeout);
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        return (configId, jobId);
    }

    private async Task<RestoreJob> RunRestoreAsync(string configId, string backupId, RestoreOptions options)
        => await WaitForRestoreAsync(await StartRestoreAsync(configId, backupId, options));

    /// <summary>As the restore API does it: claim the config, write the pending row, start the orchestration.</summary>
    private async Task<string> StartRestoreAsync(string configId, string backupId, RestoreOptions options)
    {
        var now = DateTimeOffset.UtcNow;
        var id = RestoreJobsTable.NewId(now);
        var busy = await new RestoreClaims(Catalog, TimeProvider.System, Starter).TryClaimAsync(configId, id, default);
        Assert.Null(busy);
        Assert.True(await Catalog.RestoreJobs.TryCreateAsync(new RestoreJob
        {
            Id = id,
            ConfigId = configId,
            BackupId = backupId,
            Options = options,
            CreatedAt = now,
            Progress = new JobProgress { TotalSteps = RestoreJobSteps.Total },
        }, default));
        await Starter.StartAsync(new RestoreJobRequest(id), default);
        return id;
    }

    private async Task<RestoreJob> WaitForRestoreAsync(string id)
    {
        var deadline = DateTime.UtcNow + Timeout;
        RestoreJob? job;
        do
        {
            job = await Catalog.RestoreJobs.GetAsync(id, default);
            if (job is { IsFinished: true })
            {
                // The orchestration's last steps (notify) run after the row ends; wait for it so nothing outlives the test.
                using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await host.Host.Services.GetRequiredService<DurableTaskClient>().WaitForInstanceCompletionAsync(id, wait.Token);
                return job;
            }
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        throw new TimeoutException($"Restore job {id} did not finish within {Timeout}: {job?.Status} {job?.Progress.CurrentStep}");
    }

    private async Task WaitForStepAsync(string id, string step)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            var job = await Catalog.RestoreJobs.GetAsync(id, default);
            if (job?.Progress.CurrentStep == step)
                return;
            Assert.False(job is { IsFinished: true }, $"restore job {id} ended ({job?.Status}: {job?.Error}) before step {step}");
            await Task.Delay(100);
        }
        throw new TimeoutException($"Restore job {id} did not reach step {step} within {Timeout}");
    }

    private async Task<(PostgresConnectionInfo Database, string SiteRoot)> NewCmsAsync()
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName("cms"));
        return (db, SampleCms.CreateSite(host.Scratch("site")));
    }
}
