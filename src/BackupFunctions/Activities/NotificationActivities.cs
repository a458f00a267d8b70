using BackupFunctions.Core.Notifications;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Activities;

/// <summary>Notifications at the end of a backup: one call into the engine, which never throws for a failed delivery.</summary>
public sealed class NotificationActivities(BackupNotifier notifier)
{
    [Function(FunctionNames.Notify)]
    public Task<NotificationResult> Notify([ActivityTrigger] string jobId, CancellationToken cancellationToken)
        => notifier.NotifyJobAsync(jobId, cancellationToken);
}
