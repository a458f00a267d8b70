using System.Collections.Concurrent;
using System.Globalization;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores.Drills;
using BackupFunctions.Core.Tests.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Restores.Drills;

/// <summary>
/// Which drills the every-minute timer starts (<see cref="RestoreDrillLauncher.StartDueAsync"/>), against the real
/// catalog on Azurite with a fake clock: the due slot of <c>restoreDrill.schedule</c>, once, under its own id.
/// </summary>
public sealed class RestoreDrillSchedulingTests : CatalogTestBase
{
    private static readonly BackupSchedule WeeklySunday0400Berlin = new() { Frequency = "weekly", DayOfWeek = "sunday", Time = "04:00", TimeZone = "Europe/Berlin" };

    /// <summary>Drill schedule (null: no restoreDrill), config created at, timer fires at, the slot it starts (null: none).</summary>
    public static TheoryData<string, BackupSchedule?, string, string, string?> DueDrills => new()
    {
        { "weekly, on the dot (04:00 CET is 03:00Z)", WeeklySunday0400Berlin, "2026-11-28T12:00Z", "2026-11-29T03:00Z", "2026-11-29T03:00Z" },
        { "weekly, a minute early", WeeklySunday0400Berlin, "2026-11-28T12:00Z", "2026-11-29T02:59Z", null },
        { "weekly, app down until Tuesday: the missed slot runs late, once", WeeklySunday0400Berlin, "2026-11-28T12:00Z", "2026-12-01T09:00Z", "2026-11-29T03:00Z" },
        { "weekly, summer time (04:00 CEST is 02:00Z)", WeeklySunday0400Berlin, "2026-07-01T00:00Z", "2026-07-05T02:00Z", "2026-07-05T02:00Z" },
        { "daily UTC", new BackupSchedule { Frequency = "daily", Time = "04:00" }, "2026-11-30T05:00Z", "2026-12-01T04:30Z", "2026-12-01T04:00Z" },
        { "hourly, the slot before the config existed does not run", new BackupSchedule { Frequency = "hourly", Minute = 15 }, "2026-12-01T10:20Z", "2026-12-01T10:59Z", null },
        { "hourly, the next slot does", new BackupSchedule { Frequency = "hourly", Minute = 15 }, "2026-12-01T10:20Z", "2026-12-01T11:15Z", "2026-12-01T11:15Z" },
        { "monthly on the 31st runs on the last day of a short month", new BackupSchedule { Frequency = "monthly", DayOfMonth = 31, Time = "03:00" }, "2026-11-01T00:00Z", "2026-11-30T03:00Z", "2026-11-30T03:00Z" },
        { "manual drills never start by themselves", new BackupSchedule { Frequency = "manual" }, "2026-11-01T00:00Z", "2026-12-01T00:00Z", null },
        { "no restoreDrill, no drill", null, "2026-11-01T00:00Z", "2026-12-01T00:00Z", null },
    };

    [Theory]
    [MemberData(nameof(DueDrills))]
    public async Task The_timer_starts_the_due_drill_once_under_the_slot_id(string why, BackupSchedule? schedule, string created, string firing, string? slot)
    {
        Time.SetUtcNow(At(created));
        var configId = await CreateConfigAsync(schedule);
        await AddBackupAsync(configId, At(created));
        var starter = new RecordingStarter();
        var launcher = Launcher();

        Time.SetUtcNow(At(firing));
        var started = await launcher.StartDueAsync(starter, default);
        var again = await launcher.StartDueAsync(starter, default);

        string[] expected = slot is null ? [] : [RestoreDrillsTable.IdForSchedule(configId, At(slot))];
        Assert.True(expected.SequenceEqual(started), $"{why}: started {string.Join(", ", started)}");
        Assert.Empty(again);
        Assert.Equal(expected, starter.Starts);
        if (slot is not null)
        {
            var drill = await Catalog.RestoreDrills.GetAsync(expected[0], default);
            Assert.Equal(("schedule", At(slot), RestoreDrillStatuses.Pending), (drill!.Trigger, drill.ScheduledFor, drill.Status));
            Assert.Equal(expected[0], await Catalog.RestoreDrills.ActiveDrillAsync(configId, default));
        }
    }

    [Fact]
    public async Task A_slot_due_while_a_drill_of_the_config_runs_is_skipped_visibly_and_a_config_without_backups_is_not_drilled()
    {
        Time.SetUtcNow(At("2026-12-01T00:00Z"));
        var hourly = new BackupSchedule { Frequency = "hourly", Minute = 0 };
        var configId = await CreateConfigAsync(hourly);
        var noBackups = await CreateConfigAsync(hourly);
        await AddBackupAsync(configId, At("2026-12-01T00:00Z"));
        var starter = new RecordingStarter();
        var launcher = Launcher();

        // A manual drill holds the config's place (its orchestration is running).
        var manual = await launcher.StartNowAsync(configId, starter, default);
        Assert.Equal(DrillStartOutcome.Started, manual.Outcome);
        Assert.Equal(DrillStartOutcome.AlreadyRunning, (await launcher.StartNowAsync(configId, starter, default)).Outcome);
        Assert.Equal(DrillStartOutcome.NoBackup, (await launcher.StartNowAsync(noBackups, starter, default)).Outcome);

        Time.SetUtcNow(At("2026-12-01T01:00Z"));
        Assert.Empty(await launcher.StartDueAsync(starter, default));
        var skipped = await Catalog.RestoreDrills.GetAsync(RestoreDrillsTable.IdForSchedule(configId, At("2026-12-01T01:00Z")), default);
        Assert.Equal(RestoreDrillStatuses.Skipped, skipped!.Status);
        Assert.Contains("still running", skipped.Error, StringComparison.Ordinal);
        var nothing = await Catalog.RestoreDrills.GetAsync(RestoreDrillsTable.IdForSchedule(noBackups, At("2026-12-01T01:00Z")), default);
        Assert.Equal(RestoreDrillStatuses.Skipped, nothing!.Status);
        Assert.Contains("no successful backup", nothing.Error, StringComparison.Ordinal);

        // Once the manual drill has ended (its record step gives the place back), the next slot runs.
        await Catalog.RestoreDrills.UpdateAsync(manual.Drill!.Id, d => d with { Status = RestoreDrillStatuses.Passed }, default);
        await Catalog.RestoreDrills.ReleaseAsync(configId, manual.Drill.Id, default);
        Time.SetUtcNow(At("2026-12-01T02:00Z"));
        Assert.Equal([RestoreDrillsTable.IdForSchedule(configId, At("2026-12-01T02:00Z"))], await launcher.StartDueAsync(starter, default));
    }

    [Fact]
    public async Task A_place_held_by_a_drill_whose_orchestration_is_gone_is_taken_over_after_a_while()
    {
        Time.SetUtcNow(At("2026-12-01T00:00Z"));
        var configId = await CreateConfigAsync(null);
        await AddBackupAsync(configId, At("2026-12-01T00:00Z"));
        var starter = new RecordingStarter();
        var launcher = Launcher();
        var first = await launcher.StartNowAsync(configId, starter, default);
        starter.Crash(first.Drill!.Id);

        Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(DrillStartOutcome.AlreadyRunning, (await launcher.StartNowAsync(configId, starter, default)).Outcome);
        Time.Advance(RestoreDrillLauncher.OrphanedAfter);
        var second = await launcher.StartNowAsync(configId, starter, default);
        Assert.Equal(DrillStartOutcome.Started, second.Outcome);
        Assert.Equal(second.Drill!.Id, await Catalog.RestoreDrills.ActiveDrillAsync(configId, default));
    }

    [Fact]
    public async Task Of_ten_simultaneous_requests_to_drill_a_config_exactly_one_starts()
    {
        Time.SetUtcNow(At("2026-12-01T00:00Z"));
        var configId = await CreateConfigAsync(null);
        await AddBackupAsync(configId, At("2026-12-01T00:00Z"));
        var starter = new RecordingStarter();
        // Ten app instances: their own catalog clients over the same tables.
        var launchers = Enumerable.Range(0, 10).Select(_ => new RestoreDrillLauncher(new BackupCatalog(Service, Prefix, Time), Time, NullLogger<RestoreDrillLauncher>.Instance)).ToList();

        var results = await Task.WhenAll(launchers.Select(l => l.StartNowAsync(configId, starter, default)));

        var started = Assert.Single(results, r => r.Outcome == DrillStartOutcome.Started);
        Assert.All(results.Where(r => r != started), r => Assert.Equal(DrillStartOutcome.AlreadyRunning, r.Outcome));
        Assert.Equal([started.Drill!.Id], starter.Starts);
        Assert.Equal(started.Drill.Id, await Catalog.RestoreDrills.ActiveDrillAsync(configId, default));
    }

    private RestoreDrillLauncher Launcher() => new(Catalog, Time, NullLogger<RestoreDrillLauncher>.Instance);

    private async Task<string> CreateConfigAsync(BackupSchedule? drillSchedule)
    {
        var config = BackupCatalogConfigTests.SampleConfig("site") with
        {
            Schedule = new BackupSchedule { Frequency = "manual" },
            RestoreDrill = drillSchedule is null ? null : new RestoreDrillConfig { Schedule = drillSchedule },
        };
        return (await Catalog.Configs.CreateAsync(config, default)).Id;
    }

    private async Task AddBackupAsync(string configId, DateTimeOffset at)
    {
        var id = "0000000000000000001-" + configId;
        await Catalog.Backups.UpsertAsync(new BackupRecord
        {
            Id = id,
            ConfigId = configId,
            JobId = id,
            CreatedAt = at,
            CompletedAt = at.AddMinutes(1),
            SizeBytes = 1,
            Checksum = new string('a', 64),
            CompressionRatio = 1,
            Compression = "zstd",
            Encryption = "aes-256-gcm",
            Statistics = new BackupStatistics { DatabaseDumpBytes = 1 },
            Locations = [],
        }, default);
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    /// <summary>Stands in for the Durable client: records starts; a started drill's orchestration runs until it "crashes".</summary>
    private sealed class RecordingStarter : IRestoreDrillStarter
    {
        private readonly ConcurrentQueue<string> _starts = new();
        private readonly ConcurrentDictionary<string, bool> _crashed = new();

        public IReadOnlyList<string> Starts => [.. _starts];

        public void Crash(string drillId) => _crashed[drillId] = true;

        public Task StartAsync(string drillId, CancellationToken cancellationToken)
        {
            _starts.Enqueue(drillId);
            return Task.CompletedTask;
        }

        public Task<bool> IsRunningAsync(string drillId, CancellationToken cancellationToken)
            => Task.FromResult(_starts.Contains(drillId) && !_crashed.ContainsKey(drillId));
    }
}
