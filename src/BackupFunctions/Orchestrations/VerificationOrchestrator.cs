using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Verification;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BackupFunctions.Orchestrations;

/// <summary>
/// Verifies copies of a backup, on demand (POST /api/backups/{id}/verify) or on schedule: which copies → one
/// verification per copy, side by side → the outcomes into the backup's row (status, alerts). Instance id
/// <see cref="VerificationRequest.InstanceIdFor"/>: one at a time per backup. Deterministic: all work is in activities.
/// </summary>
public static class VerificationOrchestrator
{
    /// <returns>How many copies failed.</returns>
    [Function(FunctionNames.VerificationOrchestrator)]
    public static async Task<int> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<VerificationRequest>()
            ?? throw new InvalidOperationException("The verification orchestration needs a VerificationRequest input.");
        var plan = await context.CallActivityAsync<VerificationRequest?>(FunctionNames.PlanVerification, request, BackupOrchestrator.Retried);
        if (plan?.Copies is not { Count: > 0 } copies)
            return 0;
        var results = await Task.WhenAll(copies.Select(index => VerifyAsync(context, plan, index)));
        await context.CallActivityAsync<BackupRecord>(
            FunctionNames.RecordVerification, new VerificationUpdate(plan.BackupId, results), BackupOrchestrator.Retried);
        return results.Count(r => !r.Result.Ok);
    }

    private static async Task<CopyVerification> VerifyAsync(TaskOrchestrationContext context, VerificationRequest plan, int index)
    {
        try
        {
            var result = await context.CallActivityAsync<VerificationResult>(
                FunctionNames.VerifyBackupCopy, new CopyVerificationInput(plan.BackupId, index, plan.Level), BackupOrchestrator.Retried);
            return new CopyVerification(index, result);
        }
        catch (TaskFailedException e)
        {
            // The copy could not even be read (destination down after the retries): that is a failed verification.
            return new CopyVerification(index, new VerificationResult(
                plan.Level, false, 0, 0, [$"{e.TaskName} failed: {e.FailureDetails.ErrorMessage}"], context.CurrentUtcDateTime, 0));
        }
    }
}
