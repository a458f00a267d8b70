using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Health;

/// <summary>The hourly evaluation with a fake clock: overdue and storage_full raised, escalated, resolved; usage stored and shown by the health reader.</summary>
public sealed class AlertMonitorTests : HealthTestBase
{
    [Fact]
    public async Task Storage_full_follows_the_usage_of_a_destination_with_a_limit()
    {
        var nas = await Catalog.StorageLocations.CreateAsync((id, now) => new StorageLocation
        {
            Id = id,
            Name = "nas",
            Type = StorageTypes.Local,
            Settings = new Dictionary<string, string> { ["path"] = "nas" },
            MaxSizeBytes = 1000,
            CreatedAt = now,
        }, default);
        var config = await ConfigAsync("manual", new StorageDestination { StorageId = nas.Id, Prefix = "site-a" });
        var store = new LocalFolderStore(LocalFolder("nas"));
        await PutAsync(store, "site-a/backups/1/db.part", 600);
        await PutAsync(store, "site-b/backups/2/db.part", 250); // another site's prefix in the same destination counts too
        var id = AlertTypes.IdFor(AlertTypes.StorageFull, config.Id, nas.Id);

        var below = await Monitor.EvaluateAsync(default);
        Assert.Empty(below.Raised);
        var usage = Assert.Single(below.Usage);
        Assert.Equal((nas.Id, "nas", 850L, 1000L, 85.0, "maxSize", T0),
            (usage.Destination, usage.Name, usage.UsedBytes, usage.TotalBytes!.Value, usage.Percentage!.Value, usage.TotalFrom, usage.MeasuredAt));
        Assert.Null(await Catalog.Alerts.GetAsync(id, default));

        Time.Advance(TimeSpan.FromHours(1));
        await PutAsync(store, "site-a/backups/3/db.part", 100); // 950 of 1000
        var full = await Monitor.EvaluateAsync(default);
        var raised = Assert.Single(full.NewlyRaised);
        Assert.Equal((id, AlertTypes.StorageFull, "high", config.Id, nas.Id), (raised.Id, raised.Type, raised.Severity, raised.ConfigId, raised.Destination));
        Assert.Contains("95 %", raised.Message, StringComparison.Ordinal);

        Time.Advance(TimeSpan.FromHours(1));
        await PutAsync(store, "site-a/backups/4/db.part", 25); // 975: 97.5 %
        var critical = await Monitor.EvaluateAsync(default);
        Assert.Empty(critical.NewlyRaised);
        var escalated = Assert.Single(critical.Raised).Alert;
        Assert.Equal(("critical", 2, T0.AddHours(1)), (escalated.Severity, escalated.Occurrences, escalated.CreatedAt));

        // The health endpoint's reader shows the stored usage and the open alert.
        var health = Assert.Single((await Reader.ReadAsync(default)).Configs);
        var shown = Assert.Single(health.StorageUsage);
        Assert.Equal(("primary", 975L, 1000L, 97.5, T0.AddHours(2)), (shown.Role, shown.UsedBytes!.Value, shown.TotalBytes!.Value, shown.Percentage!.Value, shown.MeasuredAt!.Value));
        Assert.Equal(id, Assert.Single(health.OpenAlerts).Id);
        Assert.Equal(HealthStatuses.Critical, health.Status);

        Time.Advance(TimeSpan.FromHours(1));
        await store.DeleteAsync("site-b/backups/2/db.part", default);
        var freed = await Monitor.EvaluateAsync(default);
        Assert.Equal(id, Assert.Single(freed.Resolved).Id);
        Assert.Equal((AlertStatuses.Resolved, T0.AddHours(3)), ((await Catalog.Alerts.GetAsync(id, default))!.Status, (await Catalog.Alerts.GetAsync(id, default))!.ResolvedAt!.Value));
        Assert.Empty((await Monitor.EvaluateAsync(default)).Resolved);
    }

    [Fact]
    public async Task A_local_folder_without_a_limit_is_measured_against_its_file_system_and_an_unmeasurable_one_changes_nothing()
    {
        var config = await ConfigAsync("manual", new StorageDestination { Type = "local", Path = "plain" });
        await PutAsync(new LocalFolderStore(LocalFolder("plain")), "p/backups/1/db.part", 4096);
        var limited = await ConfigAsync("manual", new StorageDestination { Type = "local", Path = "limited", MaxSizeBytes = 4096 });
        await PutAsync(new LocalFolderStore(LocalFolder("limited"), maxSizeBytes: 4096), "l/backups/1/db.part", 4000);
        var missing = await ConfigAsync("manual", new StorageDestination { StorageId = "stg-000000000000000000000000" });

        var evaluation = await Monitor.EvaluateAsync(default);

        var plain = evaluation.Usage.Single(u => u.Destination == DestinationRef.Of(config.Config.Storage).Key);
        Assert.Equal(("local:plain", 4096L, "fileSystem"), (plain.Name, plain.UsedBytes, plain.TotalFrom));
        var free = new DriveInfo(LocalFolder("plain")).AvailableFreeSpace;
        Assert.InRange(plain.TotalBytes!.Value - 4096, free - (64 << 20), free + (64 << 20));
        var full = Assert.Single(evaluation.NewlyRaised);
        Assert.Equal((limited.Id, "critical"), (full.ConfigId, full.Severity)); // 4000 of 4096 = 97.66 %
        Assert.Equal("stg-000000000000000000000000", Assert.Single(evaluation.MeasurementFailures).Key);

        // An alert of a destination that cannot be measured stays as it is; one of a config that is gone is resolved.
        var unmeasured = AlertTypes.IdFor(AlertTypes.StorageFull, missing.Id, "stg-000000000000000000000000");
        await Catalog.Alerts.RaiseAsync(new BackupAlert { Id = unmeasured, Type = AlertTypes.StorageFull, Severity = "high", ConfigId = missing.Id, Message = "m", CreatedAt = T0 }, default);
        var orphan = AlertTypes.IdFor(AlertTypes.BackupOverdue, "cfg-gone");
        await Catalog.Alerts.RaiseAsync(new BackupAlert { Id = orphan, Type = AlertTypes.BackupOverdue, Severity = "medium", ConfigId = "cfg-gone", Message = "m", CreatedAt = T0 }, default);
        var replication = AlertTypes.IdFor(AlertTypes.ReplicationFailed, "cfg-gone", "b1", 1);
        await Catalog.Alerts.RaiseAsync(new BackupAlert { Id = replication, Type = AlertTypes.ReplicationFailed, Severity = "high", ConfigId = "cfg-gone", Message = "m", CreatedAt = T0 }, default);

        var again = await Monitor.EvaluateAsync(default);
        Assert.Equal(orphan, Assert.Single(again.Resolved).Id);
        Assert.Equal(AlertStatuses.Open, (await Catalog.Alerts.GetAsync(unmeasured, default))!.Status);
        Assert.Equal(AlertStatuses.Open, (await Catalog.Alerts.GetAsync(replication, default))!.Status); // not the evaluation's to judge
    }

    [Fact]
    public async Task Overdue_after_one_and_a_half_intervals_plus_grace_and_resolved_by_a_success()
    {
        var daily = await ConfigAsync("daily", new StorageDestination { Type = "local", Path = "d" }, "daily site");
        var never = await ConfigAsync("weekly", new StorageDestination { Type = "local", Path = "w" }, "weekly site");
        var manual = await ConfigAsync("manual", new StorageDestination { Type = "local", Path = "m" }, "manual site");
        var success = await RunAsync(daily.Id, JobStatus.Completed); // finished T0 + 2 min
        await RunAsync(daily.Id, JobStatus.Failed, "boom");
        await Failures.JobFailedAsync((await RunAsync(daily.Id, JobStatus.Failed, "boom")).Id, default);

        // Daily: 36 h + 60 min grace after the last success (T0 + 2 min) it is not yet overdue...
        Time.SetUtcNow(T0.AddMinutes(2).AddHours(37));
        Assert.Empty((await Monitor.EvaluateAsync(default)).Raised);

        // ...a minute later it is.
        Time.Advance(TimeSpan.FromMinutes(1));
        var late = await Monitor.EvaluateAsync(default);
        var overdue = Assert.Single(late.NewlyRaised);
        Assert.Equal((AlertTypes.BackupOverdue, daily.Id, "medium"), (overdue.Type, overdue.ConfigId, overdue.Severity));
        Assert.Contains($"{success.CompletedAt:u}", overdue.Message, StringComparison.Ordinal);
        Assert.Empty(late.Resolved); // backup_failed stays: the failures are the newest runs

        // Three days without a success: high. The weekly config (never succeeded, created at T0) is not overdue yet.
        Time.SetUtcNow(T0.AddDays(3).AddHours(1).AddMinutes(3));
        var later = await Monitor.EvaluateAsync(default);
        Assert.Equal(("high", false), (Assert.Single(later.Raised).Alert.Severity, later.Raised[0].IsNew));

        // 10.5 days + grace after its creation, the weekly one is; the manual one never is.
        Time.SetUtcNow(T0.AddDays(10.5).AddMinutes(61));
        var weekly = await Monitor.EvaluateAsync(default);
        Assert.Equal(never.Id, Assert.Single(weekly.NewlyRaised).ConfigId);
        Assert.DoesNotContain(weekly.Raised, r => r.Alert.ConfigId == manual.Id);

        // A successful run: the next evaluation resolves overdue and backup_failed of the daily config.
        await RunAsync(daily.Id, JobStatus.Completed);
        var resolved = await Monitor.EvaluateAsync(default);
        Assert.Equal(
            new[] { AlertTypes.IdFor(AlertTypes.BackupFailed, daily.Id), AlertTypes.IdFor(AlertTypes.BackupOverdue, daily.Id) }.Order(StringComparer.Ordinal),
            resolved.Resolved.Select(a => a.Id).Order(StringComparer.Ordinal));
        Assert.Equal(never.Id, Assert.Single(resolved.Raised).Alert.ConfigId);

        var report = await Reader.ReadAsync(default);
        var dailyHealth = report.Configs.Single(c => c.ConfigId == daily.Id);
        Assert.Equal((0, HealthStatuses.Healthy, 2), (dailyHealth.ConsecutiveFailures, dailyHealth.Status, dailyHealth.AveragedOver));
        Assert.Equal(120.0, dailyHealth.AverageBackupTime);
        Assert.Null(dailyHealth.AverageBackupSize); // no backup rows in this test
        Assert.Equal(HealthStatuses.Warning, report.Status); // the weekly config is overdue (medium)
        Assert.Equal(1, report.OpenAlertsBySeverity["medium"]);
    }

    private static async Task PutAsync(IBackupStore store, string name, int bytes)
    {
        using var content = new MemoryStream(new byte[bytes]);
        await store.PutAsync(name, content, default);
    }
}
