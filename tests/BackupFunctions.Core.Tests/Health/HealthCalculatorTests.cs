using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;

namespace BackupFunctions.Core.Tests.Health;

public sealed class HealthCalculatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly StoredBackupConfig Config = new("cfg-1", new BackupConfig
    {
        Name = "site",
        Files = new FilesSource { Root = "/srv/site" },
        Schedule = new BackupSchedule { Frequency = "daily", Time = "02:00" },
        Storage = new StorageDestination { StorageId = "stg-000000000000000000000001" },
        Replicas = [new StorageDestination { Type = "azureBlob", Container = "offsite" }],
    }, T0, T0);

    private static BackupJob Job(int hoursAgo, JobStatus status, double? seconds = null) => new()
    {
        Id = $"job-{hoursAgo}",
        ConfigId = "cfg-1",
        Trigger = "schedule",
        Status = status,
        CreatedAt = T0.AddHours(-hoursAgo),
        CompletedAt = T0.AddHours(-hoursAgo).AddMinutes(5),
        DurationSeconds = seconds,
        BackupId = AlertRules.IsSuccess(status) ? $"job-{hoursAgo}" : null,
    };

    private static BackupAlert Alert(string id, string severity, string status = AlertStatuses.Open) => new()
    {
        Id = id,
        Type = AlertTypes.BackupFailed,
        Severity = severity,
        ConfigId = "cfg-1",
        Message = "m",
        CreatedAt = T0,
        Status = status,
    };

    [Fact]
    public void Config_health_counts_failures_since_the_last_success_and_averages_the_last_ten_successes()
    {
        // Newest first: 2 failures, then 12 successes (durations 10..120 s); only the 10 newest count.
        var jobs = new List<BackupJob> { Job(1, JobStatus.Failed), Job(2, JobStatus.Cancelled), Job(3, JobStatus.Failed) };
        for (var i = 0; i < 12; i++)
            jobs.Add(Job(24 * (i + 1), i % 2 == 0 ? JobStatus.Completed : JobStatus.CompletedWithWarnings, seconds: 10 * (i + 1)));
        var runs = ConfigRuns.From(jobs, HealthCalculator.AverageOver);
        // Sizes: the newest success was removed from the catalog; the others are 1000, 2000, ...
        var sizes = Enumerable.Range(1, 11).ToDictionary(i => $"job-{24 * (i + 1)}", i => 1000L * i);
        var usage = new Dictionary<string, StorageUsage>
        {
            ["stg-000000000000000000000001"] = new() { Destination = "stg-000000000000000000000001", Name = "nas", UsedBytes = 900, TotalBytes = 1000, Percentage = 90, MeasuredAt = T0 },
        };

        var health = HealthCalculator.ForConfig(Config, runs, sizes, [Alert("a", "high"), Alert("b", "critical", AlertStatuses.Resolved)], usage);

        Assert.Equal(2, health.ConsecutiveFailures);
        Assert.Equal(new LastSuccessfulBackup("job-24", T0.AddHours(-24).AddMinutes(5)), health.LastSuccessfulBackup);
        Assert.Equal(10, health.AveragedOver);
        Assert.Equal(55.0, health.AverageBackupTime); // (10 + ... + 100) / 10
        Assert.Equal(5000L, health.AverageBackupSize); // job-48..job-240 → 1000..9000 → 45000 / 9
        Assert.Equal(HealthStatuses.Warning, health.Status);
        Assert.Equal("a", Assert.Single(health.OpenAlerts).Id);

        Assert.Equal(2, health.StorageUsage.Count);
        var primary = health.StorageUsage[0];
        Assert.Equal(("primary", "nas", 900L, 1000L, 90.0), (primary.Role, primary.Name, primary.UsedBytes!.Value, primary.TotalBytes!.Value, primary.Percentage!.Value));
        var replica = health.StorageUsage[1];
        Assert.Equal(("replica", "azureBlob:offsite"), (replica.Role, replica.Name));
        Assert.Null(replica.UsedBytes);
        Assert.Null(replica.MeasuredAt);
    }

    [Fact]
    public void A_config_that_never_succeeded_has_no_last_backup_and_no_averages()
    {
        var runs = ConfigRuns.From([Job(1, JobStatus.Failed), Job(2, JobStatus.Failed), Job(3, JobStatus.Failed)], 10);
        var health = HealthCalculator.ForConfig(Config, runs, new Dictionary<string, long>(), [], new Dictionary<string, StorageUsage>());
        Assert.Equal(3, health.ConsecutiveFailures);
        Assert.Null(health.LastSuccessfulBackup);
        Assert.Null(health.AverageBackupTime);
        Assert.Null(health.AverageBackupSize);
        Assert.Equal(0, health.AveragedOver);
        Assert.Equal(HealthStatuses.Healthy, health.Status); // health follows alerts: none here
    }

    public static TheoryData<string[], string> Statuses => new()
    {
        { [], "healthy" },
        { ["low"], "healthy" },
        { ["low", "medium"], "warning" },
        { ["high"], "warning" },
        { ["medium", "critical", "low"], "critical" },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Status_is_the_worst_unresolved_alert(string[] severities, string expected)
        => Assert.Equal(expected, HealthStatuses.Of(severities.Select((s, i) => Alert($"a{i}", s))));

    [Fact]
    public void Overall_takes_the_worst_status_and_counts_unresolved_alerts_by_severity()
    {
        var healthy = HealthCalculator.ForConfig(Config, ConfigRuns.From([], 10), new Dictionary<string, long>(), [], new Dictionary<string, StorageUsage>());
        var warning = healthy with { ConfigId = "cfg-2", Status = HealthStatuses.Warning };
        var alerts = new[]
        {
            Alert("a", "high"),
            Alert("b", "high", AlertStatuses.Acknowledged),
            Alert("c", "medium"),
        };
        var report = HealthCalculator.Overall([healthy, warning], alerts, T0);
        Assert.Equal(HealthStatuses.Warning, report.Status);
        Assert.Equal(new HealthCounts(2, 1, 1, 0, 2, 1), report.Counts);
        Assert.Equal(new Dictionary<string, int> { ["low"] = 0, ["medium"] = 1, ["high"] = 2, ["critical"] = 0 }, report.OpenAlertsBySeverity);

        // A critical alert of a config that no longer exists still makes the whole critical.
        var orphan = Alert("d", "critical") with { ConfigId = "cfg-gone" };
        Assert.Equal(HealthStatuses.Critical, HealthCalculator.Overall([healthy], [orphan], T0).Status);
        Assert.Equal(HealthStatuses.Healthy, HealthCalculator.Overall([healthy], [], T0).Status);
    }
}
