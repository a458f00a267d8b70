using BackupFunctions.Core.Retention;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Activities;

/// <summary>The retention activity: after a backup (autoCleanup) and for POST /api/backup-configs/{id}/cleanup.</summary>
public sealed class RetentionActivities(RetentionCleaner cleaner)
{
    [Function(FunctionNames.ApplyRetention)]
    public Task<RetentionReport?> ApplyRetention([ActivityTrigger] RetentionRequest request, CancellationToken cancellationToken)
        => cleaner.RunAsync(request, cancellationToken);
}
