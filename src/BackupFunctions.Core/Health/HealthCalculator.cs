using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>The arithmetic of the health endpoint: pure functions of what <see cref="HealthReader"/> read.</summary>
public static class HealthCalculator
{
    /// <summary>The averages cover this many of the latest successful runs: recent enough to show a trend, enough to smooth one odd run.</summary>
    public const int AverageOver = 10;

    /// <param name="config">The config.</param>
    /// <param name="runs">Its runs, read with <see cref="AverageOver"/> successes.</param>
    /// <param name="backupSizes">Backup id → stored bytes, for the backups of <paramref name="runs"/> still in the catalog.</param>
    /// <param name="alerts">Alerts of the config (resolved ones are ignored).</param>
    /// <param name="usage">Destination key → last measurement.</param>
    /// <param name="lastDrill">The config's latest finished restore drill, if any.</param>
    public static ConfigHealth ForConfig(
        StoredBackupConfig config,
        ConfigRuns runs,
        IReadOnlyDictionary<string, long> backupSizes,
        IEnumerable<BackupAlert> alerts,
        IReadOnlyDictionary<string, StorageUsage> usage,
        RestoreDrill? lastDrill = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(backupSizes);
        ArgumentNullException.ThrowIfNull(alerts);
        ArgumentNullException.ThrowIfNull(usage);

        var successes = runs.Successes.Take(AverageOver).ToList();
        var durations = successes.Where(j => j.DurationSeconds is not null).Select(j => j.DurationSeconds!.Value).ToList();
        var sizes = successes.Select(j => backupSizes.TryGetValue(j.BackupId ?? j.Id, out var size) ? size : (long?)null)
            .Where(s => s is not null).Select(s => s!.Value).ToList();
        var open = alerts.Where(a => AlertStatuses.IsUnresolved(a.Status))
            .OrderByDescending(a => AlertSeverities.Rank(a.Severity)).ThenByDescending(a => a.CreatedAt).ToList();
        var primary = DestinationRef.Of(config.Config.Storage).Key;

        return new ConfigHealth
        {
            ConfigId = config.Id,
            Name = config.Config.Name,
            Status = HealthStatuses.Of(open),
            LastSuccessfulBackup = runs.LastSuccess is { } last
                ? new LastSuccessfulBackup(last.BackupId ?? last.Id, last.CompletedAt ?? last.CreatedAt)
                : null,
            ConsecutiveFailures = runs.ConsecutiveFailures,
            AverageBackupTime = durations.Count > 0 ? Math.Round(durations.Average(), 3) : null,
            AverageBackupSize = sizes.Count > 0 ? (long)Math.Round(sizes.Average(s => (double)s)) : null,
            AveragedOver = successes.Count,
            StorageUsage = [.. DestinationRef.OfConfig(config.Config).Select(d => Destination(d, d.Key == primary ? "primary" : "replica", usage))],
            OpenAlerts = open,
            LastRestoreDrill = lastDrill is { CompletedAt: { } when }
                ? new LastRestoreDrill(when, lastDrill.Id, lastDrill.BackupId, lastDrill.Status, lastDrill.DurationSeconds)
                : null,
        };
    }

    /// <param name="configs">Every config's health.</param>
    /// <param name="unresolved">Every open or acknowledged alert, also those of configs that no longer exist.</param>
    /// <param name="now">The time of the report.</param>
    public static BackupHealthReport Overall(IReadOnlyList<ConfigHealth> configs, IReadOnlyList<BackupAlert> unresolved, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(configs);
        ArgumentNullException.ThrowIfNull(unresolved);
        var open = unresolved.Where(a => AlertStatuses.IsUnresolved(a.Status)).ToList();
        var statuses = configs.Select(c => c.Status).Append(HealthStatuses.Of(open)).ToList();
        return new BackupHealthReport
        {
            Status = statuses.Contains(HealthStatuses.Critical) ? HealthStatuses.Critical
                : statuses.Contains(HealthStatuses.Warning) ? HealthStatuses.Warning
                : HealthStatuses.Healthy,
            CheckedAt = now,
            Counts = new HealthCounts(
                configs.Count,
                configs.Count(c => c.Status == HealthStatuses.Healthy),
                configs.Count(c => c.Status == HealthStatuses.Warning),
                configs.Count(c => c.Status == HealthStatuses.Critical),
                open.Count(a => a.Status == AlertStatuses.Open),
                open.Count(a => a.Status == AlertStatuses.Acknowledged)),
            OpenAlertsBySeverity = AlertSeverities.All.ToDictionary(s => s, s => open.Count(a => a.Severity == s)),
            Configs = configs,
        };
    }

    private static DestinationHealth Destination(DestinationRef destination, string role, IReadOnlyDictionary<string, StorageUsage> usage)
        => usage.TryGetValue(destination.Key, out var measured)
            ? new DestinationHealth
            {
                Destination = destination.Key,
                Name = measured.Name,
                Role = role,
                UsedBytes = measured.UsedBytes,
                TemporaryBytes = measured.TemporaryBytes,
                TemporaryObjects = measured.TemporaryObjects,
                TotalBytes = measured.TotalBytes,
                Percentage = measured.Percentage,
                MeasuredAt = measured.MeasuredAt,
            }
            : new DestinationHealth { Destination = destination.Key, Name = destination.Name, Role = role };
}
