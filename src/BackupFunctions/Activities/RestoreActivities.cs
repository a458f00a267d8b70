using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Restores;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Activities;

/// <summary>The restore's activities: each binds its input and makes one call into the engine.</summary>
public sealed class RestoreActivities(RestoreJobRunner runner, BackupNotifier notifier)
{
    [Function(FunctionNames.StartRestore)]
    public Task<RestoreJobPlan> StartRestore([ActivityTrigger] RestoreJobRequest request, CancellationToken cancellationToken)
        => runner.StartAsync(request, cancellationToken);

    [Function(FunctionNames.PreparePreRestoreBackup)]
    public Task<BackupRequest> PreparePreRestoreBackup([ActivityTrigger] RestoreJobPlan plan, CancellationToken cancellationToken)
        => runner.PreparePreRestoreBackupAsync(plan, cancellationToken);

    [Function(FunctionNames.CancelPreRestoreBackup)]
    public Task CancelPreRestoreBackup([ActivityTrigger] string backupJobId, CancellationToken cancellationToken)
        => runner.CancelPreRestoreBackupAsync(backupJobId, cancellationToken);

    [Function(FunctionNames.RecordPreRestoreBackup)]
    public Task<RestoreJobPlan> RecordPreRestoreBackup([ActivityTrigger] PreRestoreBackupInput input, CancellationToken cancellationToken)
        => runner.RecordPreRestoreBackupAsync(input, cancellationToken);

    [Function(FunctionNames.ProveRestore)]
    public Task<InPlaceRestoreProof> ProveRestore([ActivityTrigger] RestoreJobPlan plan, CancellationToken cancellationToken)
        => runner.ProveAsync(plan, cancellationToken);

    [Function(FunctionNames.StageRestoreFiles)]
    public Task<InPlaceRestoreCounts?> StageRestoreFiles([ActivityTrigger] RestoreJobPlan plan, CancellationToken cancellationToken)
        => runner.StageFilesAsync(plan, cancellationToken);

    [Function(FunctionNames.SwapRestoreFiles)]
    public Task SwapRestoreFiles([ActivityTrigger] RestoreJobPlan plan, CancellationToken cancellationToken)
        => runner.SwapFilesAsync(plan, cancellationToken);

    [Function(FunctionNames.RestoreDatabase)]
    public Task<RestoreDatabaseOutcome> RestoreDatabase([ActivityTrigger] RestoreJobPlan plan, CancellationToken cancellationToken)
        => runner.RestoreDatabaseAsync(plan, cancellationToken);

    [Function(FunctionNames.VerifyRestore)]
    public Task<InPlaceRestoreCounts?> VerifyRestore([ActivityTrigger] RestoreStepInput input, CancellationToken cancellationToken)
        => runner.VerifyAsync(input, cancellationToken);

    [Function(FunctionNames.CompleteRestore)]
    public Task<RestoreJob> CompleteRestore([ActivityTrigger] RestoreFinishInput input, CancellationToken cancellationToken)
        => runner.CompleteAsync(input, cancellationToken);

    [Function(FunctionNames.RollbackRestoreFiles)]
    public Task RollbackRestoreFiles([ActivityTrigger] RestoreJobPlan plan, CancellationToken cancellationToken)
        => runner.RollbackFilesAsync(plan, cancellationToken);

    [Function(FunctionNames.RollbackRestoreDatabase)]
    public Task<IReadOnlyList<TableRowCount>> RollbackRestoreDatabase([ActivityTrigger] RestoreJobPlan plan, CancellationToken cancellationToken)
        => runner.RollbackDatabaseAsync(plan, cancellationToken);

    [Function(FunctionNames.FailRestore)]
    public Task<RestoreJob> FailRestore([ActivityTrigger] RestoreFailureInput input, CancellationToken cancellationToken)
        => runner.FailAsync(input, cancellationToken);

    [Function(FunctionNames.NotifyRestore)]
    public Task<NotificationResult> NotifyRestore([ActivityTrigger] string restoreJobId, CancellationToken cancellationToken)
        => notifier.NotifyRestoreJobAsync(restoreJobId, cancellationToken);
}
