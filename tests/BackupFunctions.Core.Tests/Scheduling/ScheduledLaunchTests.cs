using System.Collections.Concurrent;
using System.Globalization;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Scheduling;

/// <summary>
/// <see cref="BackupLauncher"/> against the real catalog on Azurite with a fake clock: what the every-minute timer
/// starts, skips and records, with two app instances firing at once.
/// </summary>
public sealed class ScheduledLaunchTests : CatalogTestBase
{
    /// <summary>Window start (configs are created then), window end, zone, the hourly (:30) slots, the 02:30 and the 01:30 daily slots (UTC).</summary>
    public static TheoryData<string, string, string, string[], string, string> DstNights => new()
    {
        // Berlin springs forward at 01:00 UTC: 02:30 does not exist and runs at 03:00 CEST.
        { "2026-03-28T23:00Z", "2026-03-29T03:00Z", "Europe/Berlin",
            ["2026-03-28T23:30Z", "2026-03-29T00:30Z", "2026-03-29T01:30Z", "2026-03-29T02:30Z"], "2026-03-29T01:00Z", "2026-03-29T00:30Z" },
        // Berlin falls back at 01:00 UTC: 02:30 happens twice and runs at the first (CEST).
        { "2026-10-24T22:00Z", "2026-10-25T02:00Z", "Europe/Berlin",
            ["2026-10-24T22:30Z", "2026-10-24T23:30Z", "2026-10-25T00:30Z", "2026-10-25T01:30Z"], "2026-10-25T00:30Z", "2026-10-24T23:30Z" },
        // New York springs forward at 07:00 UTC.
        { "2026-03-08T05:00Z", "2026-03-08T09:00Z", "America/New_York",
            ["2026-03-08T05:30Z", "2026-03-08T06:30Z", "2026-03-08T07:30Z", "2026-03-08T08:30Z"], "2026-03-08T07:00Z", "2026-03-08T06:30Z" },
        // New York falls back at 06:00 UTC: 01:30 happens twice and runs at the first (EDT).
        { "2026-11-01T04:00Z", "2026-11-01T08:00Z", "America/New_York",
            ["2026-11-01T04:30Z", "2026-11-01T05:30Z", "2026-11-01T06:30Z", "2026-11-01T07:30Z"], "2026-11-01T07:30Z", "2026-11-01T05:30Z" },
    };

    [Theory]
    [MemberData(nameof(DstNights))]
    public async Task Minute_by_minute_through_a_DST_night_two_instances_start_each_slot_exactly_once(
        string from, string to, string zone, string[] hourlySlots, string daily0230Slot, string daily0130Slot)
    {
        Time.SetUtcNow(At(from));
        var hourly = await CreateAsync(new BackupSchedule { Frequency = "hourly", Minute = 30, TimeZone = zone });
        var daily0230 = await CreateAsync(new BackupSchedule { Frequency = "daily", Time = "02:30", TimeZone = zone });
        var daily0130 = await CreateAsync(new BackupSchedule { Frequency = "daily", Time = "01:30", TimeZone = zone });
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Completed);
        // Two app instances: their own catalog clients over the same tables, one orchestration backend.
        var first = Launcher(Catalog);
        var second = Launcher(new BackupCatalog(Service, Prefix, Time));

        for (; Time.GetUtcNow() <= At(to); Time.Advance(TimeSpan.FromMinutes(1)))
        {
            await Task.WhenAll(first.StartDueAsync(starter, default), second.StartDueAsync(starter, default));
            // A duplicate firing of the same minute starts nothing.
            Assert.Empty(await first.StartDueAsync(starter, default));
        }

        // Every start happened at its slot (the minute ticks hit slots exactly), once.
        AssertStarts(starter, hourly, hourlySlots);
        AssertStarts(starter, daily0230, [daily0230Slot]);
        AssertStarts(starter, daily0130, [daily0130Slot]);
        Assert.Equal(hourlySlots.Length + 2, starter.Starts.Count);
        foreach (var (configId, slots) in new[] { (hourly, hourlySlots), (daily0230, [daily0230Slot]), (daily0130, [daily0130Slot]) })
        {
            var jobs = await JobsOfAsync(configId);
            Assert.Equal(slots.Select(At).Reverse(), jobs.Select(j => j.ScheduledFor!.Value));
            Assert.All(jobs, j => Assert.Equal(JobIds.ForSchedule(configId, j.ScheduledFor!.Value), j.Id));
            Assert.All(jobs, j => Assert.Equal("schedule", j.Trigger));
        }
    }

    [Fact]
    public async Task After_a_three_day_outage_an_hourly_config_starts_exactly_one_run_for_the_latest_slot()
    {
        Time.SetUtcNow(At("2026-05-04T10:05Z"));
        var configId = await CreateAsync(new BackupSchedule { Frequency = "hourly", Minute = 0, TimeZone = "Europe/Berlin" });
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Completed);
        var launcher = Launcher(Catalog);
        Time.SetUtcNow(At("2026-05-04T11:00Z"));
        Assert.Single(await launcher.StartDueAsync(starter, default));

        // Down from 11:01 on 4 May until 11:20 on 7 May: 72 slots missed.
        Time.SetUtcNow(At("2026-05-07T11:20Z"));
        var started = await launcher.StartDueAsync(starter, default);
        Time.Advance(TimeSpan.FromMinutes(1));
        var again = await launcher.StartDueAsync(starter, default);

        Assert.Equal([JobIds.ForSchedule(configId, At("2026-05-07T11:00Z"))], started);
        Assert.Empty(again);
        Assert.Equal([At("2026-05-07T11:00Z"), At("2026-05-04T11:00Z")], (await JobsOfAsync(configId)).Select(j => j.ScheduledFor!.Value));
    }

    [Fact]
    public async Task A_slot_due_while_maxConcurrent_runs_go_is_skipped_once_and_visibly()
    {
        Time.SetUtcNow(At("2026-06-01T09:50Z"));
        var configId = await CreateAsync(new BackupSchedule { Frequency = "hourly", Minute = 0 });
        // Runs never finish here: each start leaves its job running.
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Running);
        var launcher = Launcher(Catalog);

        Time.SetUtcNow(At("2026-06-01T10:00Z"));
        var firstRun = Assert.Single(await launcher.StartDueAsync(starter, default));
        Time.SetUtcNow(At("2026-06-01T11:00:20Z"));
        Assert.Empty(await launcher.StartDueAsync(starter, default));
        Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await launcher.StartDueAsync(starter, default));

        var skipped = await Catalog.Jobs.GetAsync(JobIds.ForSchedule(configId, At("2026-06-01T11:00Z")), default);
        Assert.NotNull(skipped);
        Assert.Equal(JobStatus.Skipped, skipped.Status);
        Assert.Equal(At("2026-06-01T11:00Z"), skipped.ScheduledFor);
        Assert.Equal(At("2026-06-01T11:00:20Z"), skipped.CompletedAt);
        Assert.Equal("Skipped: 1 backup of this config was still running (maxConcurrent 1).", skipped.Error);
        Assert.Single(starter.Starts);

        // Once the run has finished, the next slot starts again.
        await Catalog.Jobs.UpdateAsync(firstRun, j => j with { Status = JobStatus.Completed }, default);
        Time.SetUtcNow(At("2026-06-01T12:00Z"));
        Assert.Equal([JobIds.ForSchedule(configId, At("2026-06-01T12:00Z"))], await launcher.StartDueAsync(starter, default));
        Assert.Equal([JobStatus.Running, JobStatus.Skipped, JobStatus.Completed], (await JobsOfAsync(configId)).Select(j => j.Status));
    }

    [Fact]
    public async Task MaxConcurrent_two_lets_a_second_run_start_and_skips_the_third()
    {
        Time.SetUtcNow(At("2026-06-01T09:50Z"));
        var configId = await CreateAsync(new BackupSchedule { Frequency = "hourly", Minute = 0 }, maxConcurrent: 2);
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Running);
        var launcher = Launcher(Catalog);

        foreach (var hour in new[] { 10, 11, 12 })
        {
            Time.SetUtcNow(new DateTimeOffset(2026, 6, 1, hour, 0, 0, TimeSpan.Zero));
            await launcher.StartDueAsync(starter, default);
        }

        Assert.Equal(2, starter.Starts.Count);
        var third = await Catalog.Jobs.GetAsync(JobIds.ForSchedule(configId, At("2026-06-01T12:00Z")), default);
        Assert.Equal(JobStatus.Skipped, third!.Status);
        Assert.Equal("Skipped: 2 backups of this config were still running (maxConcurrent 2).", third.Error);
    }

    [Fact]
    public async Task A_pending_row_that_never_got_an_orchestration_does_not_count_but_a_fresh_one_does()
    {
        Time.SetUtcNow(At("2026-06-01T09:00Z"));
        var orphanConfig = await CreateAsync(new BackupSchedule { Frequency = "hourly", Minute = 0 });
        var freshConfig = await CreateAsync(new BackupSchedule { Frequency = "hourly", Minute = 0 });
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Completed);
        var launcher = Launcher(Catalog);
        // A manual job whose starter died after writing its row (09:55, no orchestration) and one written just now.
        await InsertPendingManualJobAsync(orphanConfig, At("2026-06-01T09:55Z"));
        await InsertPendingManualJobAsync(freshConfig, At("2026-06-01T09:59:30Z"));

        Time.SetUtcNow(At("2026-06-01T10:00Z"));
        var started = await launcher.StartDueAsync(starter, default);

        Assert.Equal([JobIds.ForSchedule(orphanConfig, At("2026-06-01T10:00Z"))], started);
        var skipped = await Catalog.Jobs.GetAsync(JobIds.ForSchedule(freshConfig, At("2026-06-01T10:00Z")), default);
        Assert.Equal(JobStatus.Skipped, skipped!.Status);
    }

    [Fact]
    public async Task StartNow_at_the_limit_is_refused_with_the_reason_and_writes_nothing()
    {
        var configId = await CreateAsync(new BackupSchedule { Frequency = "manual" });
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Running);
        var launcher = Launcher(Catalog);

        var first = await launcher.StartNowAsync(configId, starter, default);
        var second = await launcher.StartNowAsync(configId, starter, default);
        var unknown = await launcher.StartNowAsync("cfg-does-not-exist", starter, default);

        Assert.Equal(ManualStartOutcome.Started, first.Outcome);
        Assert.NotNull(first.Job);
        Assert.Equal(ManualStartOutcome.AtConcurrencyLimit, second.Outcome);
        Assert.Null(second.Job);
        Assert.Contains("1 backup of config " + configId + " is still running (maxConcurrent 1)", second.Reason, StringComparison.Ordinal);
        Assert.Equal(ManualStartOutcome.ConfigNotFound, unknown.Outcome);
        Assert.Single(starter.Starts);
        Assert.Single(await JobsOfAsync(configId));

        // Finished: a new start goes through.
        await Catalog.Jobs.UpdateAsync(first.Job.Id, j => j with { Status = JobStatus.Failed }, default);
        Assert.Equal(ManualStartOutcome.Started, (await launcher.StartNowAsync(configId, starter, default)).Outcome);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Manual_starts_racing_the_timer_on_two_instances_never_pass_maxConcurrent(int maxConcurrent)
    {
        // Runs never finish here: every place taken stays taken.
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Running);
        var first = Launcher(Catalog);
        var second = Launcher(new BackupCatalog(Service, Prefix, Time));
        for (var round = 0; round < 10; round++)
        {
            Time.SetUtcNow(At("2026-06-01T09:50Z").AddHours(round));
            var configId = await CreateAsync(new BackupSchedule { Frequency = "hourly", Minute = 0 }, maxConcurrent);
            Time.SetUtcNow(At("2026-06-01T10:00Z").AddHours(round));

            // The slot falls due on both instances while three requests start the same config by hand.
            var manual = Task.WhenAll(
                first.StartNowAsync(configId, starter, default), second.StartNowAsync(configId, starter, default),
                first.StartNowAsync(configId, starter, default));
            await Task.WhenAll(manual, first.StartDueAsync(starter, default), second.StartDueAsync(starter, default));

            var jobs = await JobsOfAsync(configId);
            var active = jobs.Count(j => j.Status is JobStatus.Pending or JobStatus.Running);
            Assert.True(active == maxConcurrent,
                $"round {round}: {active} runs of a maxConcurrent {maxConcurrent} config: {string.Join(", ", jobs.Select(j => $"{j.Trigger} {j.Status}"))}");
            Assert.Equal(maxConcurrent, (await manual).Count(r => r.Outcome == ManualStartOutcome.Started)
                + (jobs.Any(j => j.Trigger == "schedule" && j.Status == JobStatus.Running) ? 1 : 0));
        }
    }

    [Fact]
    public async Task NextRunAt_is_stored_on_create_and_rewritten_by_the_timer_only_when_it_changes()
    {
        Time.SetUtcNow(At("2026-03-27T12:00Z"));
        var weekly = await CreateAsync(new BackupSchedule { Frequency = "weekly", DayOfWeek = "sunday", Time = "02:30", TimeZone = "Europe/Berlin" });
        var manual = await CreateAsync(new BackupSchedule { Frequency = "manual" });
        var starter = new RecordingStarter(Catalog, Time, finishAs: JobStatus.Completed);
        var launcher = Launcher(Catalog);

        // Sunday 29 March: 02:30 does not exist in Berlin; the run is at 03:00 CEST.
        Assert.Equal(At("2026-03-29T01:00Z"), (await Catalog.Configs.GetAsync(weekly, default))!.NextRunAt);
        Assert.Null((await Catalog.Configs.GetAsync(manual, default))!.NextRunAt);

        // Nothing due, nothing changed: the rows are not written.
        var before = await RowTimestampsAsync();
        Time.Advance(TimeSpan.FromMinutes(1));
        await launcher.StartDueAsync(starter, default);
        Assert.Equal(before, await RowTimestampsAsync());

        Time.SetUtcNow(At("2026-03-29T01:00Z"));
        await launcher.StartDueAsync(starter, default);
        Assert.Equal(At("2026-04-05T00:30Z"), (await Catalog.Configs.GetAsync(weekly, default))!.NextRunAt);
        Assert.Null((await Catalog.Configs.GetAsync(manual, default))!.NextRunAt);
        Assert.Single(starter.Starts);

        // A stale or missing value (a row from before the column) is repaired, and a manual config's is removed.
        await Catalog.Configs.SetNextRunAtAsync(weekly, null, default);
        await Catalog.Configs.SetNextRunAtAsync(manual, At("2030-01-01T00:00Z"), default);
        await launcher.StartDueAsync(starter, default);
        Assert.Equal(At("2026-04-05T00:30Z"), (await Catalog.Configs.GetAsync(weekly, default))!.NextRunAt);
        Assert.Null((await Catalog.Configs.GetAsync(manual, default))!.NextRunAt);
        Assert.False(await Catalog.Configs.SetNextRunAtAsync("cfg-gone", null, default));
    }

    private BackupLauncher Launcher(BackupCatalog catalog) => new(catalog, Time, NullLogger<BackupLauncher>.Instance);

    private async Task<string> CreateAsync(BackupSchedule schedule, int maxConcurrent = 1)
    {
        var config = BackupCatalogConfigTests.SampleConfig("site") with { Schedule = schedule, MaxConcurrent = maxConcurrent };
        return (await Catalog.Configs.CreateAsync(config, default)).Id;
    }

    private async Task InsertPendingManualJobAsync(string configId, DateTimeOffset createdAt)
    {
        var job = new BackupJob { Id = JobIds.ForManual(configId, createdAt, "dead"), ConfigId = configId, Trigger = "manual", CreatedAt = createdAt };
        Assert.True(await Catalog.Jobs.TryCreateAsync(job, default));
    }

    private async Task<List<BackupJob>> JobsOfAsync(string configId)
    {
        var jobs = new List<BackupJob>();
        await foreach (var job in Catalog.Jobs.OfConfigAsync(configId, status: null, default))
            jobs.Add(job);
        return jobs;
    }

    private async Task<List<DateTimeOffset?>> RowTimestampsAsync()
    {
        var stamps = new List<DateTimeOffset?>();
        await foreach (var row in ConfigsTable.QueryAsync<Azure.Data.Tables.TableEntity>())
            stamps.Add(row.Timestamp);
        return stamps;
    }

    private static void AssertStarts(RecordingStarter starter, string configId, string[] slots)
    {
        var starts = starter.Starts.Where(s => s.ConfigId == configId).OrderBy(s => s.At).ToList();
        Assert.Equal(slots.Select(At), starts.Select(s => s.At));
        Assert.Equal(slots.Select(s => JobIds.ForSchedule(configId, At(s))), starts.Select(s => s.JobId));
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>
    /// Stands in for the Durable client: records each start with the clock's time and, like an orchestration that
    /// finishes at once (or never), moves the job to <paramref name="finishAs"/>.
    /// </summary>
    private sealed class RecordingStarter(BackupCatalog catalog, TimeProvider time, JobStatus finishAs) : IBackupStarter
    {
        private readonly ConcurrentQueue<(string JobId, string ConfigId, DateTimeOffset At)> _starts = new();

        public IReadOnlyList<(string JobId, string ConfigId, DateTimeOffset At)> Starts => [.. _starts];

        public Task<bool> ExistsAsync(string instanceId, CancellationToken cancellationToken)
            => Task.FromResult(_starts.Any(s => s.JobId == instanceId));

        public async Task StartAsync(BackupRequest request, CancellationToken cancellationToken)
        {
            _starts.Enqueue((request.JobId, request.ConfigId, time.GetUtcNow()));
            await catalog.Jobs.UpdateAsync(request.JobId, j => j with { Status = finishAs }, cancellationToken);
        }
    }
}
