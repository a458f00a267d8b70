using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Tests.Health;

/// <summary>backup_failed from failed runs (high, critical from the third in a row), none for a cancelled run, resolved by a success.</summary>
public sealed class FailureAlertsTests : HealthTestBase
{
    [Fact]
    public async Task Failed_runs_raise_one_alert_that_escalates_and_a_success_resolves_it()
    {
        var config = await ConfigAsync("daily", new StorageDestination { Type = "local", Path = "site" });
        var other = await ConfigAsync("daily", new StorageDestination { Type = "local", Path = "other" });
        await RunAsync(config.Id, JobStatus.Completed);
        await RunAsync(other.Id, JobStatus.Failed, "elsewhere"); // another config's failure is not this one's

        var first = await Failures.JobFailedAsync((await RunAsync(config.Id, JobStatus.Failed, "connection refused")).Id, default);
        Assert.True(first!.IsNew);
        Assert.Equal((AlertTypes.BackupFailed, "high", config.Id, "open"), (first.Alert.Type, first.Alert.Severity, first.Alert.ConfigId, first.Alert.Status));
        Assert.Contains("connection refused", first.Alert.Message, StringComparison.Ordinal);

        var second = await Failures.JobFailedAsync((await RunAsync(config.Id, JobStatus.Failed, "again")).Id, default);
        Assert.False(second!.IsNew);
        Assert.Equal(("high", 2), (second.Alert.Severity, second.Alert.Occurrences));

        // A cancelled run raises nothing and does not break the streak.
        Assert.Null(await Failures.JobFailedAsync((await RunAsync(config.Id, JobStatus.Cancelled)).Id, default));
        Assert.Null(await Failures.JobFailedAsync("no-such-job", default));

        var third = await Failures.JobFailedAsync((await RunAsync(config.Id, JobStatus.Failed, "third time")).Id, default);
        Assert.False(third!.IsNew);
        Assert.Equal(("critical", 3, first.Alert.Id), (third.Alert.Severity, third.Alert.Occurrences, third.Alert.Id));
        Assert.Contains("3 backups of this config failed in a row", third.Alert.Message, StringComparison.Ordinal);

        await RunAsync(config.Id, JobStatus.Completed);
        var resolved = await Failures.BackupSucceededAsync(config.Id, default);
        Assert.Equal(first.Alert.Id, Assert.Single(resolved).Id);
        Assert.Equal(AlertStatuses.Resolved, (await Catalog.Alerts.GetAsync(first.Alert.Id, default))!.Status);
        Assert.Empty(await Failures.BackupSucceededAsync(config.Id, default));

        // The next failure after a success starts over: new, and high.
        var next = await Failures.JobFailedAsync((await RunAsync(config.Id, JobStatus.Failed, "once more")).Id, default);
        Assert.True(next!.IsNew);
        Assert.Equal(("high", 1), (next.Alert.Severity, next.Alert.Occurrences));
    }
}
