using BackupFunctions.Core.Health;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Timers;

/// <summary>
/// Hourly (at minute 5): measures every destination and evaluates the backup_overdue and storage_full alerts,
/// resolving those whose cause is gone (<see cref="AlertMonitor"/>).
/// </summary>
public sealed class AlertMonitorTimer(AlertMonitor monitor)
{
    [Function(FunctionNames.EvaluateAlerts)]
    public async Task Run([TimerTrigger("0 5 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
        => await monitor.EvaluateAsync(cancellationToken);
}
