using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Replication;
using BackupFunctions.Core.Verification;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Activities;

/// <summary>The backup's activities: each binds its input and makes one call into the engine.</summary>
public sealed class BackupActivities(BackupRunner runner, BackupCopies copies)
{
    [Function(FunctionNames.StartJob)]
    public Task<BackupPlan> StartJob([ActivityTrigger] BackupRequest request, CancellationToken cancellationToken)
        => runner.StartJobAsync(request, cancellationToken);

    [Function(FunctionNames.PrepareKey)]
    public Task<PreparedKey?> PrepareKey([ActivityTrigger] BackupPlan plan, CancellationToken cancellationToken)
        => runner.PrepareKeyAsync(plan, cancellationToken);

    [Function(FunctionNames.DumpDatabase)]
    public Task<DatabasePartResult> DumpDatabase([ActivityTrigger] PartInput input, CancellationToken cancellationToken)
        => runner.DumpDatabaseAsync(input, cancellationToken);

    [Function(FunctionNames.PlanBackup)]
    public Task<VolumePlanResult> PlanBackup([ActivityTrigger] PartInput input, CancellationToken cancellationToken)
        => runner.PlanFilesAsync(input, cancellationToken);

    [Function(FunctionNames.ArchiveVolume)]
    public Task<VolumeResult> ArchiveVolume([ActivityTrigger] VolumeInput input, CancellationToken cancellationToken)
        => runner.ArchiveVolumeAsync(input, cancellationToken);

    [Function(FunctionNames.AssembleIndex)]
    public Task<FilesPartResult> AssembleIndex([ActivityTrigger] IndexInput input, CancellationToken cancellationToken)
        => runner.AssembleIndexAsync(input, cancellationToken);

    [Function(FunctionNames.WriteManifest)]
    public Task<ManifestResult> WriteManifest([ActivityTrigger] ManifestInput input, CancellationToken cancellationToken)
        => runner.WriteManifestAsync(input, cancellationToken);

    [Function(FunctionNames.ReplicateBackup)]
    public Task<ReplicationResult> ReplicateBackup([ActivityTrigger] ReplicaInput input, CancellationToken cancellationToken)
        => copies.ReplicateAsync(input, cancellationToken);

    [Function(FunctionNames.RemoveCopy)]
    public Task RemoveCopy([ActivityTrigger] ReplicaInput input, CancellationToken cancellationToken)
        => copies.RemoveCopyAsync(input, cancellationToken);

    [Function(FunctionNames.VerifyCopy)]
    public Task<VerificationResult> VerifyCopy([ActivityTrigger] VerifyInput input, CancellationToken cancellationToken)
        => copies.VerifyAsync(input, cancellationToken);

    [Function(FunctionNames.PlanCopyRetry)]
    public Task<CopyRetryPlan?> PlanCopyRetry([ActivityTrigger] string backupId, CancellationToken cancellationToken)
        => copies.PlanRetryAsync(backupId, cancellationToken);

    [Function(FunctionNames.UpdateCopies)]
    public Task<BackupRecord> UpdateCopies([ActivityTrigger] CopyUpdateInput input, CancellationToken cancellationToken)
        => copies.UpdateCopiesAsync(input, cancellationToken);

    [Function(FunctionNames.RecordBackup)]
    public Task<BackupRecord> RecordBackup([ActivityTrigger] RecordInput input, CancellationToken cancellationToken)
        => runner.RecordBackupAsync(input, cancellationToken);

    [Function(FunctionNames.FailJob)]
    public Task FailJob([ActivityTrigger] FailureInput input, CancellationToken cancellationToken)
        => runner.FailJobAsync(input, cancellationToken);
}
