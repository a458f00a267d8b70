using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Verification;
using Microsoft.Azure.Functions.Worker;

namespace BackupFunctions.Activities;

/// <summary>The verification orchestration's activities: each binds its input and makes one call into the engine.</summary>
public sealed class VerificationActivities(BackupVerifications verifications)
{
    [Function(FunctionNames.PlanVerification)]
    public Task<VerificationRequest?> PlanVerification([ActivityTrigger] VerificationRequest request, CancellationToken cancellationToken)
        => verifications.PlanAsync(request, cancellationToken);

    [Function(FunctionNames.VerifyBackupCopy)]
    public Task<VerificationResult> VerifyBackupCopy([ActivityTrigger] CopyVerificationInput input, CancellationToken cancellationToken)
        => verifications.VerifyCopyAsync(input, cancellationToken);

    [Function(FunctionNames.RecordVerification)]
    public Task<BackupRecord> RecordVerification([ActivityTrigger] VerificationUpdate update, CancellationToken cancellationToken)
        => verifications.RecordAsync(update, cancellationToken);
}
