using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>Reads what the health report needs from the catalog and the stored usage, and hands it to <see cref="HealthCalculator"/>.</summary>
public sealed class HealthReader(BackupCatalog catalog, StorageUsageTable usageTable, TimeProvider time, Sources.PostgresToolsStatus? tools = null)
{
    public async Task<BackupHealthReport> ReadAsync(CancellationToken cancellationToken)
    {
        var unresolved = new List<BackupAlert>();
        await foreach (var alert in catalog.Alerts.UnresolvedAsync(cancellationToken))
            unresolved.Add(alert);
        var usage = new Dictionary<string, StorageUsage>(StringComparer.Ordinal);
        await foreach (var measured in usageTable.AllAsync(cancellationToken))
            usage[measured.Destination] = measured;
        var byConfig = unresolved.ToLookup(a => a.ConfigId, StringComparer.Ordinal);

        var configs = new List<ConfigHealth>();
        await foreach (var config in catalog.Configs.AllAsync(cancellationToken))
        {
            var runs = await ConfigRuns.ReadAsync(catalog, config.Id, HealthCalculator.AverageOver, cancellationToken);
            var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var backupId in runs.Successes.Select(j => j.BackupId ?? j.Id))
            {
                // A backup that retention removed no longer counts towards the size average.
                if (await catalog.Backups.GetAsync(backupId, cancellationToken) is { } backup)
                    sizes[backupId] = backup.SizeBytes;
            }
            var lastDrill = await catalog.RestoreDrills.LatestFinishedAsync(config.Id, cancellationToken);
            configs.Add(HealthCalculator.ForConfig(config, runs, sizes, byConfig[config.Id], usage, lastDrill));
        }
        var report = HealthCalculator.Overall(configs, unresolved, time.GetUtcNow());
        return tools is null ? report : report with { PostgresTools = await tools.GetAsync() };
    }
}
