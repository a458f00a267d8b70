using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Health;

public sealed class AlertRulesTests
{
    [Theory]
    [InlineData(0, null)]
    [InlineData(1, "high")]
    [InlineData(2, "high")]
    [InlineData(3, "critical")]
    [InlineData(4, "critical")]
    [InlineData(50, "critical")]
    public void Backup_failed_is_high_then_critical_from_three_failures_in_a_row(int failures, string? severity)
        => Assert.Equal(severity, AlertRules.BackupFailedSeverity(failures));

    [Theory]
    [InlineData(null, null)]
    [InlineData(0.0, null)]
    [InlineData(89.99, null)]
    [InlineData(90.0, "high")]
    [InlineData(96.99, "high")]
    [InlineData(97.0, "critical")]
    [InlineData(100.0, "critical")]
    [InlineData(130.0, "critical")]
    public void Storage_full_from_90_percent_and_critical_from_97(double? percentage, string? severity)
        => Assert.Equal(severity, AlertRules.StorageFullSeverity(percentage));

    public static TheoryData<JobStatus[], int> Streaks => new()
    {
        { [], 0 },
        { [JobStatus.Completed, JobStatus.Failed, JobStatus.Failed], 0 },
        { [JobStatus.Failed], 1 },
        { [JobStatus.Failed, JobStatus.Failed, JobStatus.CompletedWithWarnings, JobStatus.Failed], 2 },
        // Runs that neither failed nor succeeded neither count nor break the streak.
        { [JobStatus.Running, JobStatus.Failed, JobStatus.Cancelled, JobStatus.Skipped, JobStatus.Failed, JobStatus.Pending, JobStatus.Failed, JobStatus.Completed], 3 },
        { [JobStatus.Cancelled, JobStatus.Cancelled], 0 },
    };

    [Theory]
    [MemberData(nameof(Streaks))]
    public void Consecutive_failures_count_failed_runs_back_to_the_last_success(JobStatus[] newestFirst, int expected)
        => Assert.Equal(expected, AlertRules.ConsecutiveFailures(newestFirst));

    [Theory]
    [InlineData("hourly", 1.0)]
    [InlineData("daily", 24.0)]
    [InlineData("weekly", 168.0)]
    [InlineData("monthly", 744.0)]
    public void Schedule_intervals(string frequency, double hours)
        => Assert.Equal(TimeSpan.FromHours(hours), AlertRules.ScheduleInterval(frequency));

    [Theory]
    [InlineData("manual")]
    [InlineData("yearly")]
    [InlineData("")]
    public void Manual_and_unknown_schedules_have_no_interval(string frequency) => Assert.Null(AlertRules.ScheduleInterval(frequency));

    // grace 60 min. daily: overdue after 36 h + 1 h = 37 h, high after 72 h + 1 h = 73 h.
    [Theory]
    [InlineData("daily", 36.0, null)]
    [InlineData("daily", 37.0, null)] // exactly at the limit: not yet
    [InlineData("daily", 37.01, "medium")]
    [InlineData("daily", 73.0, "medium")]
    [InlineData("daily", 73.01, "high")]
    [InlineData("hourly", 2.5, null)] // 1.5 h + 1 h
    [InlineData("hourly", 2.6, "medium")]
    [InlineData("hourly", 4.1, "high")] // 3 h + 1 h
    [InlineData("weekly", 24.0 * 10.5 + 1, null)]
    [InlineData("weekly", 24.0 * 10.5 + 1.1, "medium")]
    [InlineData("monthly", 24.0 * 46.5 + 1, null)]
    [InlineData("monthly", 24.0 * 46.5 + 1.1, "medium")]
    [InlineData("monthly", 24.0 * 93 + 1.1, "high")]
    [InlineData("manual", 24.0 * 1000, null)] // manual is never overdue
    public void Overdue_after_one_and_a_half_intervals_plus_grace(string frequency, double hoursWithoutSuccess, string? severity)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
        var since = clock.GetUtcNow();
        clock.Advance(TimeSpan.FromHours(hoursWithoutSuccess));
        var schedule = new BackupSchedule { Frequency = frequency, Time = "02:00" };
        Assert.Equal(severity, AlertRules.OverdueSeverity(schedule, since, clock.GetUtcNow(), TimeSpan.FromMinutes(60)));
    }

    [Fact]
    public void The_grace_period_moves_the_limit()
    {
        var since = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var schedule = new BackupSchedule { Frequency = "daily", Time = "00:00" };
        Assert.Equal("medium", AlertRules.OverdueSeverity(schedule, since, since.AddHours(36.5), TimeSpan.Zero));
        Assert.Null(AlertRules.OverdueSeverity(schedule, since, since.AddHours(36.5), TimeSpan.FromHours(1)));
    }
}
