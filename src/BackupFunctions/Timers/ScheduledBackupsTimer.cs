using BackupFunctions.Core.Backups;
using BackupFunctions.Durable;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Timers;

/// <summary>
/// Every minute: start the configs whose slot is due (or record the slot as skipped while the config is at its
/// maxConcurrent limit) and refresh each config's nextRunAt. Firing twice (or on two instances) is harmless: job ids
/// come from config and slot, and the job row insert lets only one start through.
/// </summary>
public sealed class ScheduledBackupsTimer(BackupLauncher launcher)
{
    [Function(FunctionNames.ScheduledBackups)]
    public Task Run(
        [TimerTrigger("0 * * * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
        => launcher.StartDueAsync(new DurableBackupStarter(client), cancellationToken);
}
