using System.Text.Json;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Tests.Jobs;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// The restore job's steps that decide rather than restore (<see cref="RestoreJobRunner"/>), on the engine as the app
/// composes it over Azurite: what the start fixes and refuses, the pre-restore backup's job row, and how a restore that
/// did not go through ends. The restoring steps run end to end in the app tests (RestoreOrchestrationTests).
/// </summary>
public sealed class RestoreJobRunnerTests : IAsyncLifetime
{
    private const string DatabasePassword = "s3cret-Pa55word-of-the-cms";

    private readonly JobEngine _engine = new(new Dictionary<string, string?>
    {
        ["BackupSecrets:ORCH_DB_PASSWORD"] = DatabasePassword,
        ["Restore:LockTimeoutSeconds"] = "7",
    });

    private RestoreJobRunner Runner => _engine.Get<RestoreJobRunner>();

    private BackupCatalog Catalog => _engine.Catalog;

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task The_start_fixes_a_plan_without_secrets_with_the_targets_resolved_and_reports_leftovers()
    {
        var (config, backup) = await CreateConfigAndBackupAsync();
        var root = config.Config.Files!.Root;
        // A set-aside folder of a restore that died without its staging folder: reported, left for the operator.
        Directory.CreateDirectory(Path.Combine(root, "uploads.replaced-rst-dead"));
        var job = await CreateRestoreJobAsync(config.Id, backup.Id, new RestoreOptions { RestoreConfig = false });

        var plan = await Runner.StartAsync(new RestoreJobRequest(job.Id), default);

        Assert.Equal(root, plan.SiteRoot);
        Assert.Equal(["uploads", "themes", "plugins"], plan.Components);
        Assert.Equal("postgres", plan.Database?.Database);
        Assert.True(plan.InPlace);
        Assert.True(plan.TakePreRestoreBackup);
        Assert.Equal(7, plan.LockTimeoutSeconds);
        // The plan goes into orchestration history: the password setting's name may be there, its value never.
        var json = JsonSerializer.Serialize(plan);
        Assert.DoesNotContain(DatabasePassword, json, StringComparison.Ordinal);
        Assert.Contains("BackupSecrets__ORCH_DB_PASSWORD", json, StringComparison.Ordinal);

        var started = await Catalog.RestoreJobs.GetAsync(job.Id, default);
        Assert.Equal(RestoreJobStatus.Running, started!.Status);
        Assert.Equal(_engine.Clock.GetUtcNow(), started.StartedAt);
        Assert.Equal(1, started.Progress.CompletedSteps);
        Assert.Equal(RestoreJobSteps.Total, started.Progress.TotalSteps);
        var log = await _engine.Get<JobLogs>().ListAsync(job.Id, 50, null, default);
        Assert.Contains(log.Items, e => e.Message == "Leftover of an earlier restore found" && e.Context!["outcome"]!.GetValue<string>() == "left");
        Assert.Contains(log.Items, e => e.Message == "Restore started");
        Assert.True(Directory.Exists(Path.Combine(root, "uploads.replaced-rst-dead")));
    }

    [Theory]
    [InlineData(BackupStatuses.Deleting, "is being deleted")]
    [InlineData(BackupStatuses.VerificationFailed, "failed verification")]
    public async Task The_start_refuses_a_backup_that_stopped_being_a_restore_point_since_the_request(string status, string why)
    {
        var (config, backup) = await CreateConfigAndBackupAsync();
        var job = await CreateRestoreJobAsync(config.Id, backup.Id, new RestoreOptions());
        await Catalog.Backups.UpsertAsync(backup with { Status = status }, default);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Runner.StartAsync(new RestoreJobRequest(job.Id), default));

        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Equal(RestoreJobStatus.Pending, (await Catalog.RestoreJobs.GetAsync(job.Id, default))!.Status);
    }

    [Fact]
    public async Task A_job_cancelled_before_it_started_does_not_start()
    {
        var (config, backup) = await CreateConfigAndBackupAsync();
        var job = await CreateRestoreJobAsync(config.Id, backup.Id, new RestoreOptions());
        await Catalog.RestoreJobs.UpdateAsync(job.Id, j => j with { CancelRequested = true }, default);

        await Assert.ThrowsAsync<JobCancelledException>(() => Runner.StartAsync(new RestoreJobRequest(job.Id), default));
        Assert.Equal(RestoreJobStatus.Pending, (await Catalog.RestoreJobs.GetAsync(job.Id, default))!.Status);
    }

    [Fact]
    public async Task A_restore_elsewhere_takes_no_pre_restore_backup_and_refuses_a_target_outside_the_allowed_roots()
    {
        var (config, backup) = await CreateConfigAndBackupAsync();
        var elsewhere = Path.Combine(Path.GetDirectoryName(config.Config.Files!.Root)!, "site", "copy");
        var job = await CreateRestoreJobAsync(config.Id, backup.Id, new RestoreOptions { TargetPath = elsewhere, TargetDatabase = "cms_copy" });

        var plan = await Runner.StartAsync(new RestoreJobRequest(job.Id), default);

        Assert.False(plan.InPlace);
        Assert.False(plan.TakePreRestoreBackup);
        Assert.Equal(elsewhere, plan.SiteRoot);
        Assert.Equal("cms_copy", plan.Database?.Database);

        var outside = await CreateRestoreJobAsync(config.Id, backup.Id, new RestoreOptions { TargetPath = "/etc/cms-copy" });
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Runner.StartAsync(new RestoreJobRequest(outside.Id), default));
        Assert.StartsWith("targetPath: ", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists("/etc/cms-copy"));
    }

    [Fact]
    public async Task The_pre_restore_backup_job_is_written_once_with_its_trigger_and_an_id_derived_from_the_restore()
    {
        var (config, backup) = await CreateConfigAndBackupAsync();
        var job = await CreateRestoreJobAsync(config.Id, backup.Id, new RestoreOptions());
        var plan = await Runner.StartAsync(new RestoreJobRequest(job.Id), default);

        var first = await Runner.PreparePreRestoreBackupAsync(plan, default);
        _engine.Clock.Advance(TimeSpan.FromSeconds(30));
        var again = await Runner.PreparePreRestoreBackupAsync(plan, default);

        Assert.Equal(first, again);
        Assert.Equal(JobIds.ForPreRestore(config.Id, job.CreatedAt, job.Id), first.JobId);
        Assert.Equal(config.Id, first.ConfigId);
        var jobs = new List<BackupJob>();
        await foreach (var j in Catalog.Jobs.OfConfigAsync(config.Id, null, default))
            jobs.Add(j);
        var written = Assert.Single(jobs, j => j.Id == first.JobId);
        Assert.Equal("pre-restore", written.Trigger);
        Assert.Equal(JobStatus.Pending, written.Status);

        // A pre-restore backup that did not complete fails the restore, naming how it ended.
        await Catalog.Jobs.UpdateAsync(first.JobId, j => j with { Status = JobStatus.Failed, Error = "DumpDatabase failed: disk full" }, default);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runner.RecordPreRestoreBackupAsync(new PreRestoreBackupInput(plan, first.JobId, null), default));
        Assert.Contains("ended failed: DumpDatabase failed: disk full", error.Message, StringComparison.Ordinal);
        Assert.Contains("the live site and database are unchanged", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// What was touched and what the rollback put back decide the end: nothing touched → cancelled or failed;
    /// everything touched put back → rolled_back; anything left → failed with a critical alert naming the state.
    /// </summary>
    [Theory]
    [InlineData(true, false, false, false, false, false, "cancelled", null)]
    [InlineData(false, false, false, false, false, false, "failed", "high")]
    [InlineData(false, true, false, true, false, false, "rolled_back", "high")]
    [InlineData(true, true, false, true, false, false, "rolled_back", "high")]
    [InlineData(false, true, true, true, true, false, "rolled_back", "high")]
    [InlineData(false, true, true, true, false, true, "failed", "critical")]
    [InlineData(false, true, false, false, false, true, "failed", "critical")]
    [InlineData(false, false, true, false, false, true, "failed", "critical")]
    public async Task A_restore_that_did_not_go_through_ends_as_what_was_put_back_says(
        bool cancelled, bool swapped, bool databaseChanged, bool filesBack, bool databaseBack, bool rollbackError, string status, string? alert)
    {
        var (config, backup) = await CreateConfigAndBackupAsync();
        var job = await CreateRestoreJobAsync(config.Id, backup.Id, new RestoreOptions());
        var plan = await Runner.StartAsync(new RestoreJobRequest(job.Id), default) with { PreRestoreBackupId = "pre-1" };
        _engine.Clock.Advance(TimeSpan.FromSeconds(12));

        var ended = await Runner.FailAsync(new RestoreFailureInput(job.Id, "RestoreDatabase failed: lock timeout.", plan)
        {
            Cancelled = cancelled,
            FilesSwapped = swapped,
            DatabaseChanged = databaseChanged,
            FilesRolledBack = filesBack,
            DatabaseRolledBack = databaseBack,
            RollbackErrors = rollbackError ? ["RollbackRestoreFiles failed: permission denied"] : [],
            Files = swapped ? new InPlaceRestoreCounts(["uploads", "themes"], 3, 4, 5, 0, 600) : null,
            Tables = databaseChanged ? [new TableRowCount("public.posts", 10)] : null,
        }, default);

        Assert.Equal(status, RestoreJobStatusWords.Of(ended.Status));
        var stored = await Catalog.RestoreJobs.GetAsync(job.Id, default);
        Assert.Equal((ended.Status, ended.Error, ended.CompletedAt), (stored!.Status, stored.Error, stored.CompletedAt));
        Assert.StartsWith("RestoreDatabase failed: lock timeout.", ended.Error, StringComparison.Ordinal);
        Assert.Equal(_engine.Clock.GetUtcNow(), ended.CompletedAt);
        if (swapped || databaseChanged)
            Assert.Equal(12, ended.Result!.DurationSeconds);
        else
            Assert.EndsWith("Nothing live was changed.", ended.Error, StringComparison.Ordinal);
        if (status == "rolled_back" && swapped)
        {
            Assert.Contains("the site's components (uploads, themes) are back as they were", ended.Error, StringComparison.Ordinal);
            Assert.Equal(3, ended.Result!.FilesCreated);
        }

        var raised = await Catalog.Alerts.GetAsync(AlertTypes.IdFor(AlertTypes.RestoreFailed, config.Id), default);
        Assert.Equal(alert, raised?.Severity);
        if (alert == "critical")
        {
            Assert.Contains("could not be rolled back", raised!.Message, StringComparison.Ordinal);
            Assert.Contains("Pre-restore backup pre-1 holds the site and database as they were before the restore", raised.Message, StringComparison.Ordinal);
            Assert.Contains(swapped && !filesBack ? "Site files: NOT put back" : swapped ? "Site files: put back" : "Site files: unchanged", raised.Message, StringComparison.Ordinal);
            Assert.Contains(databaseChanged && !databaseBack ? "Database: NOT put back" : databaseChanged ? "Database: put back" : "Database: unchanged", raised.Message, StringComparison.Ordinal);
        }

        // A second verdict does not rewrite the first.
        var again = await Runner.FailAsync(new RestoreFailureInput(job.Id, "late", plan) { Cancelled = !cancelled }, default);
        Assert.Equal(ended.Status, again.Status);
        Assert.Equal(ended.Error, again.Error);
    }

    [Theory]
    [InlineData(RestoreJobStatus.Completed, NotificationEvents.RestoreCompleted, NotificationLevel.Success)]
    [InlineData(RestoreJobStatus.Failed, NotificationEvents.RestoreFailed, NotificationLevel.Failure)]
    [InlineData(RestoreJobStatus.RolledBack, NotificationEvents.RestoreRolledBack, NotificationLevel.Failure)]
    [InlineData(RestoreJobStatus.Cancelled, null, null)]
    [InlineData(RestoreJobStatus.Running, null, null)]
    public void Restore_jobs_notify_the_issues_three_events(RestoreJobStatus status, string? name, NotificationLevel? level)
    {
        var notified = BackupNotifier.EventOf(status);
        Assert.Equal(name, notified?.Name);
        Assert.Equal(level, notified?.Level);
        if (name is not null)
        {
            var headline = NotificationText.Subject(new BackupNotification
            {
                Id = "x",
                Event = name,
                OccurredAt = DateTimeOffset.UnixEpoch,
                ConfigId = "cfg-1",
                ConfigName = "blog",
            });
            Assert.StartsWith("[BackupFunctions] Restore ", headline, StringComparison.Ordinal);
            Assert.EndsWith(": blog", headline, StringComparison.Ordinal);
        }
    }

    private async Task<(StoredBackupConfig Config, BackupRecord Backup)> CreateConfigAndBackupAsync()
    {
        var created = await _engine.CreateConfigAsync("orch-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(created.Config.Files!.Root);
        var config = created.Config with
        {
            Files = created.Config.Files with { Components = FilesSource.DefaultComponents },
            Database = new DatabaseSource
            {
                Host = TestEnvironment.PostgresHost,
                Port = TestEnvironment.PostgresPort,
                Database = "postgres",
                Username = "postgres",
                PasswordSetting = "BackupSecrets__ORCH_DB_PASSWORD",
            },
        };
        var stored = await Catalog.Configs.CreateAsync(config, default);
        var now = _engine.Clock.GetUtcNow();
        var backup = new BackupRecord
        {
            Id = JobIds.ForManual(stored.Id, now, "0001"),
            ConfigId = stored.Id,
            JobId = JobIds.ForManual(stored.Id, now, "0001"),
            Trigger = "manual",
            CreatedAt = now.AddMinutes(-10),
            CompletedAt = now.AddMinutes(-9),
            SizeBytes = 1000,
            Checksum = new string('a', 64),
            CompressionRatio = 2,
            Compression = "zstd",
            Encryption = "aes-256-gcm",
            Statistics = new BackupStatistics { Files = 3, Folders = 2, FilesBytes = 30, DatabaseTables = 2, DatabaseDumpBytes = 500 },
            Locations = [new BackupLocation("local", "local:" + config.Storage.Path, "site/backups/x/manifest.json", true)],
        };
        await Catalog.Backups.UpsertAsync(backup, default);
        return (stored, backup);
    }

    private async Task<RestoreJob> CreateRestoreJobAsync(string configId, string backupId, RestoreOptions options)
    {
        var job = new RestoreJob
        {
            Id = RestoreJobsTable.NewId(_engine.Clock.GetUtcNow()),
            ConfigId = configId,
            BackupId = backupId,
            Options = options,
            CreatedAt = _engine.Clock.GetUtcNow(),
        };
        Assert.True(await Catalog.RestoreJobs.TryCreateAsync(job, default));
        return job;
    }
}
