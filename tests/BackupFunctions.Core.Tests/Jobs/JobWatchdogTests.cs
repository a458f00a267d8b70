using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Restores.Drills;
using BackupFunctions.Core.Tests.Notifications;
using BackupFunctions.Core.Tests.Sources;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace BackupFunctions.Core.Tests.Jobs;

public sealed class JobWatchdogTests : IAsyncLifetime
{
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(30);
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    /// <summary>status, orchestration, minutes since the row's last update → orphaned (reason contains) or null.</summary>
    public static TheoryData<JobStatus, JobInstanceState, double, string?> Cases => new()
    {
        // A live orchestration that keeps writing is fine however long the run.
        { JobStatus.Running, JobInstanceState.Active, 29.9, null },
        { JobStatus.Running, JobInstanceState.Active, 30, "no progress for 30 minutes" },
        { JobStatus.Pending, JobInstanceState.Active, 45, "no progress for 45 minutes" },
        // The orchestration ended but the row says running: its last step crashed (after a short grace for the last write).
        { JobStatus.Running, JobInstanceState.Ended, 1.9, null },
        { JobStatus.Running, JobInstanceState.Ended, 2, "orchestration ended while the job was still running" },
        { JobStatus.Pending, JobInstanceState.Ended, 3, "orchestration ended while the job was still pending" },
        // Running without any orchestration: lost.
        { JobStatus.Running, JobInstanceState.Missing, 1, null },
        { JobStatus.Running, JobInstanceState.Missing, 2, "no longer exists" },
        // Pending without one: the scheduler may still start it (it takes over after 2 minutes), so only the stale limit.
        { JobStatus.Pending, JobInstanceState.Missing, 10, null },
        { JobStatus.Pending, JobInstanceState.Missing, 31, "never started (no orchestration for 31 minutes)" },
        // Finished jobs are never touched.
        { JobStatus.Completed, JobInstanceState.Missing, 600, null },
        { JobStatus.Failed, JobInstanceState.Ended, 600, null },
        { JobStatus.Cancelled, JobInstanceState.Active, 600, null },
        { JobStatus.Skipped, JobInstanceState.Missing, 600, null },
        { JobStatus.CompletedWithWarnings, JobInstanceState.Ended, 600, null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Orphan_rules(JobStatus status, JobInstanceState instance, double idleMinutes, string? reason)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var lastUpdate = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromMinutes(idleMinutes));
        var job = new BackupJob
        {
            Id = "j", ConfigId = "c", Trigger = "manual", Status = status,
            CreatedAt = lastUpdate.AddHours(-3), StartedAt = lastUpdate.AddHours(-3), LastUpdatedAt = lastUpdate,
        };

        var actual = JobWatchdog.OrphanReason(job, instance, clock.GetUtcNow(), Stale);

        if (reason is null)
            Assert.Null(actual);
        else
            Assert.Contains(reason, actual, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_last_update_the_start_then_the_creation_counts()
    {
        var now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var job = new BackupJob { Id = "j", ConfigId = "c", Trigger = "manual", Status = JobStatus.Running, CreatedAt = now.AddHours(-2) };

        Assert.NotNull(JobWatchdog.OrphanReason(job, JobInstanceState.Active, now, Stale));
        Assert.Null(JobWatchdog.OrphanReason(job with { StartedAt = now.AddMinutes(-5) }, JobInstanceState.Active, now, Stale));
    }

    [Fact]
    public async Task Orphans_are_failed_with_the_reason_and_their_partial_objects_removed_everywhere_live_jobs_are_left_alone()
    {
        var config = await _engine.CreateConfigAsync("wd");
        var hung = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromMinutes(40));
        var crashed = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromMinutes(3));
        var live = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromMinutes(1));
        var done = await _engine.CreateJobAsync(config.Id, JobStatus.Completed, TimeSpan.FromHours(5));
        var hungFiles = _engine.WritePartialBackup(config, hung.Id);
        var crashedFiles = _engine.WritePartialBackup(config, crashed.Id);
        var liveFiles = _engine.WritePartialBackup(config, live.Id);
        var doneFiles = _engine.WritePartialBackup(config, done.Id);
        var instances = new FakeJobInstances();
        instances.States[hung.Id] = JobInstanceState.Active;
        instances.States[crashed.Id] = JobInstanceState.Ended;
        instances.States[live.Id] = JobInstanceState.Active;
        instances.States[done.Id] = JobInstanceState.Ended;

        var failed = await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None);

        Assert.Equal([crashed.Id, hung.Id], failed.Order(StringComparer.Ordinal));
        var hungNow = (await _engine.Catalog.Jobs.GetAsync(hung.Id, CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, hungNow.Status);
        Assert.Contains("no progress for 40 minutes", hungNow.Error, StringComparison.Ordinal);
        Assert.Equal(_engine.Clock.GetUtcNow(), hungNow.CompletedAt);
        var crashedNow = (await _engine.Catalog.Jobs.GetAsync(crashed.Id, CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, crashedNow.Status);
        Assert.Contains("orchestration ended", crashedNow.Error, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Running, (await _engine.Catalog.Jobs.GetAsync(live.Id, CancellationToken.None))!.Status);
        Assert.Equal(JobStatus.Completed, (await _engine.Catalog.Jobs.GetAsync(done.Id, CancellationToken.None))!.Status);

        // The hung run is stopped before its objects go, so it cannot write into what is being removed.
        Assert.Equal([hung.Id], instances.Terminated.Select(t => t.JobId));
        var left = _engine.FilesOf(config);
        Assert.DoesNotContain(left, f => hungFiles.Contains(f) || crashedFiles.Contains(f));
        Assert.Equal(liveFiles.Concat(doneFiles).Order(StringComparer.Ordinal), left.Order(StringComparer.Ordinal));

        var log = await _engine.Get<JobLogs>().ListAsync(hung.Id, 100, null, CancellationToken.None);
        Assert.Contains(log.Items, e => e.Level == JobLogLevel.Error && e.Message.StartsWith("Watchdog", StringComparison.Ordinal)
            && e.Context!["reason"]!.GetValue<string>().Contains("no progress", StringComparison.Ordinal));
        Assert.Contains(log.Items, e => e.Message == "Backup failed");

        // A second run finds nothing more to do.
        Assert.Empty(await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None));
    }

    [Fact]
    public async Task A_stale_job_that_never_started_is_failed_without_touching_any_destination()
    {
        var config = await _engine.CreateConfigAsync("wd2");
        var pending = await _engine.CreateJobAsync(config.Id, JobStatus.Pending, TimeSpan.FromMinutes(31), started: false);
        var instances = new FakeJobInstances();

        Assert.Equal([pending.Id], await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None));

        var job = (await _engine.Catalog.Jobs.GetAsync(pending.Id, CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("never started", job.Error, StringComparison.Ordinal);
        Assert.Null(job.DurationSeconds);
        Assert.Empty(instances.Terminated);
    }

    [Fact]
    public async Task Orphaned_restore_jobs_are_ended_by_the_step_they_had_reached_and_live_ones_left_alone()
    {
        var config = await _engine.CreateConfigAsync("wd3");
        Directory.CreateDirectory(config.Config.Files!.Root);
        var now = _engine.Clock.GetUtcNow();
        async Task<RestoreJob> RestoreAsync(RestoreJobStatus status, string? step, TimeSpan idle)
        {
            var job = new RestoreJob
            {
                Id = RestoreJobsTable.NewId(now - idle),
                ConfigId = config.Id,
                BackupId = "b-1",
                Status = status,
                CreatedAt = now - idle - TimeSpan.FromMinutes(1),
                StartedAt = status == RestoreJobStatus.Running ? now - idle - TimeSpan.FromMinutes(1) : null,
                PreRestoreBackupId = step is null ? null : "pre-1",
                Progress = new JobProgress { CurrentStep = step, TotalSteps = Core.Restores.RestoreJobSteps.Total },
                LastUpdatedAt = now - idle,
            };
            Assert.True(await _engine.Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None));
            return job;
        }
        var neverStarted = await RestoreAsync(RestoreJobStatus.Pending, null, TimeSpan.FromMinutes(31));
        var lostInDatabase = await RestoreAsync(RestoreJobStatus.Running, Core.Restores.RestoreJobSteps.RestoreDatabase, TimeSpan.FromMinutes(3));
        var live = await RestoreAsync(RestoreJobStatus.Running, Core.Restores.RestoreJobSteps.StageFiles, TimeSpan.FromMinutes(1));
        var instances = new FakeJobInstances();
        instances.States[live.Id] = JobInstanceState.Active;

        var failed = await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None);

        Assert.Equal(new[] { neverStarted.Id, lostInDatabase.Id }.Order(StringComparer.Ordinal), failed.Order(StringComparer.Ordinal));
        var first = (await _engine.Catalog.RestoreJobs.GetAsync(neverStarted.Id, CancellationToken.None))!;
        Assert.Equal(RestoreJobStatus.Failed, first.Status);
        Assert.Contains("never started", first.Error, StringComparison.Ordinal);
        Assert.EndsWith("Nothing live was changed.", first.Error, StringComparison.Ordinal);
        var second = (await _engine.Catalog.RestoreJobs.GetAsync(lostInDatabase.Id, CancellationToken.None))!;
        Assert.Equal(RestoreJobStatus.Failed, second.Status);
        Assert.True(second.CancelRequested);
        Assert.Contains("no longer exists", second.Error, StringComparison.Ordinal);
        var alert = await _engine.Catalog.Alerts.GetAsync(AlertTypes.IdFor(AlertTypes.RestoreFailed, config.Id), CancellationToken.None);
        Assert.Equal(AlertSeverities.Critical, alert!.Severity);
        Assert.Contains("Database: NOT put back", alert.Message, StringComparison.Ordinal);
        Assert.Contains("Pre-restore backup pre-1", alert.Message, StringComparison.Ordinal);
        Assert.Equal(RestoreJobStatus.Running, (await _engine.Catalog.RestoreJobs.GetAsync(live.Id, CancellationToken.None))!.Status);
        Assert.Empty(instances.Terminated);
    }

    [Theory]
    [InlineData(RestoreJobStatus.Running, JobInstanceState.Missing, 2, "no longer exists")]
    [InlineData(RestoreJobStatus.Running, JobInstanceState.Active, 29, null)]
    [InlineData(RestoreJobStatus.Running, JobInstanceState.Active, 30, "no progress for 30 minutes")]
    [InlineData(RestoreJobStatus.Pending, JobInstanceState.Missing, 10, null)]
    [InlineData(RestoreJobStatus.RolledBack, JobInstanceState.Missing, 600, null)]
    public void Restore_jobs_follow_the_same_orphan_rules(RestoreJobStatus status, JobInstanceState instance, double idleMinutes, string? reason)
    {
        var now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var job = new RestoreJob { Id = "rst-1", ConfigId = "c", BackupId = "b", Status = status, CreatedAt = now.AddHours(-1), LastUpdatedAt = now.AddMinutes(-idleMinutes) };

        var actual = JobWatchdog.OrphanReason(job, instance, now, Stale);

        if (reason is null)
            Assert.Null(actual);
        else
            Assert.Contains(reason, actual, StringComparison.Ordinal);
    }
    [Theory]
    [InlineData(RestoreDrillStatuses.Running, JobInstanceState.Missing, 2, "the drill's orchestration no longer exists while the drill was running")]
    [InlineData(RestoreDrillStatuses.Running, JobInstanceState.Missing, 1.9, null)]
    [InlineData(RestoreDrillStatuses.Running, JobInstanceState.Ended, 2, "the drill's orchestration ended while the drill was still running")]
    [InlineData(RestoreDrillStatuses.Pending, JobInstanceState.Ended, 3, "ended while the drill was still pending")]
    [InlineData(RestoreDrillStatuses.Pending, JobInstanceState.Missing, 10, null)]
    [InlineData(RestoreDrillStatuses.Pending, JobInstanceState.Missing, 31, "the drill was never started (no orchestration for 31 minutes)")]
    // A drill's restore step writes nothing to its row while it runs: a live orchestration is never judged by idle time.
    [InlineData(RestoreDrillStatuses.Running, JobInstanceState.Active, 600, null)]
    [InlineData(RestoreDrillStatuses.Passed, JobInstanceState.Missing, 600, null)]
    [InlineData(RestoreDrillStatuses.Failed, JobInstanceState.Ended, 600, null)]
    [InlineData(RestoreDrillStatuses.Skipped, JobInstanceState.Missing, 600, null)]
    public void Restore_drills_whose_orchestration_is_gone_follow_the_same_orphan_rules(string status, JobInstanceState instance, double idleMinutes, string? reason)
    {
        var now = DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var drill = new RestoreDrill { Id = "drl-1", ConfigId = "c", Trigger = "manual", Status = status, CreatedAt = now.AddHours(-1), LastUpdatedAt = now.AddMinutes(-idleMinutes) };

        var actual = JobWatchdog.OrphanReason(drill, instance, now, Stale);

        if (reason is null)
            Assert.Null(actual);
        else
            Assert.Contains(reason, actual, StringComparison.Ordinal);
    }

    /// <summary>
    /// A drill left running by an orchestration that is gone: the watchdog drops its scratch database (a real one on the
    /// test server) and removes its scratch folder and an extraction's staging leftover beside it, ends it failed with
    /// the reason, raises the critical restore_drill_failed alert and notifies as any failed drill does, records the
    /// outcome on the backup and gives the config's drill place back. A drill never started is failed after the stale
    /// limit; a drill whose orchestration is active (however long since its row moved) and one lost only a moment ago
    /// are left alone.
    /// </summary>
    [Fact]
    public async Task Orphaned_restore_drills_are_failed_with_their_scratch_targets_removed_and_the_drill_alert_raised()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var live = await ScratchDatabase.CreateAsync("bfwdlive");
        var withDatabase = await DrillConfigAsync("wd-drill", live, receiver.Url("/drill"));
        var other = await DrillConfigAsync("wd-drill-2", live, null);
        var runner = _engine.Get<RestoreDrillRunner>();
        var catalog = _engine.Catalog;
        async Task<RestoreDrill> DrillAsync(string configId, string status)
        {
            var now = _engine.Clock.GetUtcNow();
            var id = RestoreDrillsTable.NewId(now);
            var drill = new RestoreDrill
            {
                Id = id,
                ConfigId = configId,
                Trigger = "manual",
                Status = status,
                CreatedAt = now,
                StartedAt = status == RestoreDrillStatuses.Running ? now : null,
            };
            Assert.True(await catalog.RestoreDrills.TryCreateAsync(drill, default));
            return drill;
        }

        // Written at different times (a row's last update is stamped from the clock): 31, 31, 3 and 1 minutes before the run.
        var neverStarted = await DrillAsync(other.Id, RestoreDrillStatuses.Pending);
        var active = await DrillAsync(other.Id, RestoreDrillStatuses.Running);
        _engine.Clock.Advance(TimeSpan.FromMinutes(28));
        var lost = await DrillAsync(withDatabase.Id, RestoreDrillStatuses.Running);
        var backupId = "0000000000000000001-" + withDatabase.Id;
        await catalog.Backups.UpsertAsync(new BackupRecord
        {
            Id = backupId, ConfigId = withDatabase.Id, JobId = backupId, CreatedAt = _engine.Clock.GetUtcNow(), CompletedAt = _engine.Clock.GetUtcNow(),
            SizeBytes = 1, Checksum = new string('a', 64), CompressionRatio = 1, Compression = "zstd", Encryption = "aes-256-gcm",
            Statistics = new BackupStatistics { DatabaseDumpBytes = 1, Files = 1 }, Locations = [],
        }, default);
        var scratchDatabase = RestoreDrillRunner.ScratchDatabaseName(live.Name, lost.Id);
        var scratchFolder = runner.ScratchFolder(lost.Id);
        lost = await catalog.RestoreDrills.UpdateAsync(lost.Id, d => d with { BackupId = backupId, ScratchDatabase = scratchDatabase, ScratchFolder = scratchFolder }, default);
        Assert.True(await catalog.RestoreDrills.TryClaimAsync(withDatabase.Id, lost.Id, (_, _) => Task.FromResult(false), default));
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{scratchDatabase}\"");
        Directory.CreateDirectory(Path.Combine(scratchFolder, "uploads"));
        await File.WriteAllTextAsync(Path.Combine(scratchFolder, "uploads", "restored.txt"), "a restored file");
        var staging = scratchFolder + ".restoring-0123abcd";
        Directory.CreateDirectory(staging);
        _engine.Clock.Advance(TimeSpan.FromMinutes(2));
        var recent = await DrillAsync(other.Id, RestoreDrillStatuses.Running);
        _engine.Clock.Advance(TimeSpan.FromMinutes(1));
        var instances = new FakeJobInstances();
        instances.States[active.Id] = JobInstanceState.Active;
        // Every failed drill counts in restore.drill.runs (what the Azure Monitor alert on failed drills reads), also
        // these, which never restored anything and so have no restore.drill.duration.
        var drillRuns = new List<(string? ConfigId, string? Result)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == BackupFunctions.Core.Health.BackupMetrics.MeterName && instrument.Name == "restore.drill.runs")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? configId = null, result = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "config.id")
                    configId = tag.Value?.ToString();
                else if (tag.Key == "result")
                    result = tag.Value?.ToString();
            }
            if (configId == withDatabase.Id || configId == other.Id)
            {
                lock (drillRuns)
                    drillRuns.Add((configId, result));
            }
        });
        listener.Start();

        try
        {
            var failed = await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None);
            lock (drillRuns)
            {
                Assert.Equal(
                    new[] { (withDatabase.Id, RestoreDrillStatuses.Failed), (other.Id, RestoreDrillStatuses.Failed) }.Order(),
                    drillRuns.Select(r => (r.ConfigId!, r.Result!)).Order());
            }

            Assert.Equal(new[] { neverStarted.Id, lost.Id }.Order(StringComparer.Ordinal), failed.Order(StringComparer.Ordinal));
            var ended = (await catalog.RestoreDrills.GetAsync(lost.Id, default))!;
            Assert.Equal(RestoreDrillStatuses.Failed, ended.Status);
            Assert.Contains("the drill's orchestration no longer exists", ended.Error, StringComparison.Ordinal);
            Assert.True(ended.CleanedUp);
            Assert.Equal(_engine.Clock.GetUtcNow(), ended.CompletedAt);
            Assert.False(await DatabaseExistsAsync(scratchDatabase), $"{scratchDatabase} is still there");
            Assert.True(await DatabaseExistsAsync(live.Name), "the config's own database must never be touched");
            Assert.False(Directory.Exists(scratchFolder));
            Assert.False(Directory.Exists(staging));
            Assert.Null(await catalog.RestoreDrills.ActiveDrillAsync(withDatabase.Id, default));

            var alert = await catalog.Alerts.GetAsync(AlertTypes.IdFor(AlertTypes.RestoreDrillFailed, withDatabase.Id), default);
            Assert.NotNull(alert);
            Assert.Equal((AlertTypes.RestoreDrillFailed, AlertSeverities.Critical, backupId), (alert.Type, alert.Severity, alert.BackupId));
            Assert.Contains(lost.Id, alert.Message, StringComparison.Ordinal);
            Assert.Contains("no longer exists", alert.Message, StringComparison.Ordinal);
            var delivery = Assert.Single(receiver.Requests);
            Assert.Equal(NotificationEvents.RestoreDrillFailed, delivery.Json.GetProperty("event").GetString());
            Assert.Equal($"{lost.Id}:{NotificationEvents.RestoreDrillFailed}", delivery.Json.GetProperty("id").GetString());
            Assert.Equal(AlertTypes.RestoreDrillFailed, delivery.Json.GetProperty("alert").GetProperty("type").GetString());
            var onBackup = (await catalog.Backups.GetAsync(backupId, default))!.LastRestoreDrill;
            Assert.Equal((lost.Id, RestoreDrillStatuses.Failed), (onBackup!.DrillId, onBackup.Result));

            var never = (await catalog.RestoreDrills.GetAsync(neverStarted.Id, default))!;
            Assert.Equal(RestoreDrillStatuses.Failed, never.Status);
            Assert.Contains("never started (no orchestration for 31 minutes)", never.Error, StringComparison.Ordinal);
            Assert.NotNull(await catalog.Alerts.GetAsync(AlertTypes.IdFor(AlertTypes.RestoreDrillFailed, other.Id), default));
            Assert.Equal(RestoreDrillStatuses.Running, (await catalog.RestoreDrills.GetAsync(active.Id, default))!.Status);
            Assert.Equal(RestoreDrillStatuses.Running, (await catalog.RestoreDrills.GetAsync(recent.Id, default))!.Status);
            Assert.Empty(instances.Terminated);

            // A second run finds nothing more to do.
            Assert.Empty(await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None));
        }
        finally
        {
            await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS \"{scratchDatabase}\" WITH (FORCE)");
        }
    }

    /// <summary>A config whose database is <paramref name="live"/> on the test server (trust auth), optionally notifying a webhook.</summary>
    private async Task<StoredBackupConfig> DrillConfigAsync(string name, ScratchDatabase live, string? webhook)
        => await _engine.Catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = name,
            Database = new DatabaseSource { Host = live.Connection.Host, Port = live.Connection.Port, Database = live.Name, Username = live.Connection.Username },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = name + "-primary", Prefix = "site" },
            RestoreDrill = new RestoreDrillConfig { Schedule = new BackupSchedule { Frequency = "manual" } },
            Notifications = webhook is null ? null : new NotificationConfig { Webhooks = [new WebhookChannel { Url = webhook }] },
        }, CancellationToken.None);

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = await ScratchDatabase.OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var connection = await ScratchDatabase.OpenAsync("postgres");
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
