using BackupFunctions.Core.Backups;
using BackupFunctions.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Timers;

/// <summary>Every 5 minutes: fails jobs left pending or running with nothing to move them (see <see cref="JobWatchdog"/>).</summary>
public sealed class JobWatchdogTimer(JobWatchdog watchdog)
{
    [Function(FunctionNames.JobWatchdog)]
    public Task Run(
        [TimerTrigger("0 */5 * * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
        => watchdog.RunAsync(new DurableJobInstances(client), cancellationToken);
}
