using BackupFunctions.Core.Restores.Drills;
using BackupFunctions.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Timers;

/// <summary>
/// Every minute: start the restore drills whose <c>restoreDrill.schedule</c> slot is due. Firing twice (or on two
/// instances) is harmless: drill ids come from config and slot, and the drill row insert lets only one start through.
/// </summary>
public sealed class RestoreDrillsTimer(RestoreDrillLauncher launcher)
{
    [Function(FunctionNames.ScheduledRestoreDrills)]
    public Task Run(
        [TimerTrigger("0 * * * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
        => launcher.StartDueAsync(new DurableRestoreDrillStarter(client), cancellationToken);
}
