using System.Globalization;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Health;

/// <summary>
/// The hourly evaluation of the alerts no single run raises: backup_overdue per config, storage_full per config and
/// destination (after measuring every destination and storing the usage for the health endpoint), and resolving
/// those alerts — and backup_failed — once their cause is gone, also when their config no longer exists.
/// </summary>
public sealed class AlertMonitor(
    BackupCatalog catalog,
    DestinationUsageMeter meter,
    StorageUsageTable usageTable,
    IOptions<AlertOptions> options,
    TimeProvider time,
    ILogger<AlertMonitor> logger,
    Notifications.BackupNotifier? notifier = null,
    BackupMetrics? metrics = null)
{
    /// <summary>The alert types this evaluation owns (raises or resolves by itself).</summary>
    private static readonly HashSet<string> Evaluated = [AlertTypes.BackupOverdue, AlertTypes.StorageFull, AlertTypes.BackupFailed];

    public async Task<AlertEvaluation> EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var configs = new List<StoredBackupConfig>();
        await foreach (var config in catalog.Configs.AllAsync(cancellationToken))
            configs.Add(config);
        var unresolved = new Dictionary<string, BackupAlert>(StringComparer.Ordinal);
        await foreach (var alert in catalog.Alerts.UnresolvedAsync(cancellationToken))
            unresolved[alert.Id] = alert;

        var raised = new List<RaisedAlert>();
        var stillDue = new HashSet<string>(StringComparer.Ordinal);
        async Task RaiseAsync(BackupAlert alert)
        {
            stillDue.Add(alert.Id);
            raised.Add(await catalog.Alerts.RaiseAsync(alert, cancellationToken));
        }

        foreach (var stored in configs)
        {
            var runs = await ConfigRuns.ReadAsync(catalog, stored.Id, 1, cancellationToken);
            var lastSuccess = runs.LastSuccess;
            if (runs.ConsecutiveFailures > 0)
                stillDue.Add(AlertTypes.IdFor(AlertTypes.BackupFailed, stored.Id));
            var since = lastSuccess?.CompletedAt ?? stored.CreatedAt;
            if (stored.Config.Enabled)
                metrics?.ConfigEvaluated(stored.Id, stored.Config.Name, now - since);
            // A paused config is never overdue: an open alert of it is resolved below, as not still due. Once resumed it
            // counts from its last success again (an old one is worth an alert).
            if (stored.Config.Enabled
                && AlertRules.OverdueSeverity(stored.Config.Schedule, since, now, options.Value.OverdueGrace) is { } severity)
            {
                var what = lastSuccess is null ? $"no successful backup since the config was created ({since:u})" : $"the last successful backup finished {since:u}";
                await RaiseAsync(new BackupAlert
                {
                    Id = AlertTypes.IdFor(AlertTypes.BackupOverdue, stored.Id),
                    Type = AlertTypes.BackupOverdue,
                    Severity = severity,
                    ConfigId = stored.Id,
                    Message = $"Backups of '{stored.Config.Name}' are overdue: {what}, and the schedule is {stored.Config.Schedule.Frequency}.",
                    CreatedAt = now,
                });
            }
        }

        var (usage, failed) = await MeasureAsync(configs, cancellationToken);
        foreach (var stored in configs)
        {
            foreach (var destination in DestinationRef.OfConfig(stored.Config))
            {
                var id = AlertTypes.IdFor(AlertTypes.StorageFull, stored.Id, destination.Key);
                if (usage.TryGetValue(destination.Key, out var used) && !failed.ContainsKey(destination.Key))
                    metrics?.StorageMeasured(stored.Id, stored.Config.Name, destination.Key, used.UsedBytes);
                if (failed.ContainsKey(destination.Key))
                    stillDue.Add(id); // not measured: nothing is known, so nothing is resolved
                else if (usage.TryGetValue(destination.Key, out var measured) && AlertRules.StorageFullSeverity(measured.Percentage) is { } severity)
                {
                    await RaiseAsync(new BackupAlert
                    {
                        Id = id,
                        Type = AlertTypes.StorageFull,
                        Severity = severity,
                        ConfigId = stored.Id,
                        Destination = destination.Key,
                        Message = string.Create(CultureInfo.InvariantCulture,
                            $"Destination {measured.Name} is {measured.Percentage:0.##} % full: {measured.UsedBytes} of {measured.TotalBytes} bytes ({measured.TotalFrom})")
                            + (measured.TemporaryBytes > 0
                                ? string.Create(CultureInfo.InvariantCulture,
                                    $", {measured.TemporaryBytes} of them in {measured.TemporaryObjects} temporary objects of uploads in progress or interrupted (removed by job cleanup, and by retention after Storage:TemporaryGraceHours).")
                                : "."),
                        CreatedAt = now,
                    });
                }
            }
        }

        var resolved = new List<BackupAlert>();
        foreach (var alert in unresolved.Values.Where(a => Evaluated.Contains(a.Type) && !stillDue.Contains(a.Id)))
        {
            if (await catalog.Alerts.ResolveAsync(alert.Id, cancellationToken) is { } done)
                resolved.Add(done);
        }

        logger.LogInformation(
            "Alert evaluation: {Configs} configs, {Destinations} destinations measured ({Failed} failed), {New} alerts raised, {Updated} updated, {Resolved} resolved",
            configs.Count, usage.Count, failed.Count, raised.Count(r => r.IsNew), raised.Count(r => !r.IsNew), resolved.Count);
        // Only alerts this evaluation opened are announced: one that stays open is not news every hour.
        if (notifier is not null)
        {
            foreach (var opened in raised.Where(r => r.IsNew))
                await notifier.NotifyAlertAsync(opened.Alert, cancellationToken);
        }
        return new AlertEvaluation
        {
            EvaluatedAt = now,
            Raised = raised,
            Resolved = resolved,
            Usage = [.. usage.Values],
            MeasurementFailures = failed,
        };
    }

    /// <summary>Measures each destination of the configs once and stores the result; a destination that fails is logged and skipped.</summary>
    private async Task<(Dictionary<string, StorageUsage> Usage, Dictionary<string, string> Failed)> MeasureAsync(
        List<StoredBackupConfig> configs, CancellationToken cancellationToken)
    {
        var usage = new Dictionary<string, StorageUsage>(StringComparer.Ordinal);
        var failed = new Dictionary<string, string>(StringComparer.Ordinal);
        var destinations = configs.SelectMany(c => DestinationRef.OfConfig(c.Config)).DistinctBy(d => d.Key).ToList();
        if (destinations.Count > 0)
            await usageTable.EnsureCreatedAsync(cancellationToken);
        foreach (var destination in destinations)
        {
            try
            {
                var measured = await meter.MeasureAsync(destination, cancellationToken);
                await usageTable.SaveAsync(measured, cancellationToken);
                usage[destination.Key] = measured;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // One unreachable destination must not stop the evaluation of the others.
                logger.LogWarning(e, "Could not measure the usage of destination {Destination} ({Name})", destination.Key, destination.Name);
                failed[destination.Key] = e.Message;
            }
        }
        return (usage, failed);
    }
}
