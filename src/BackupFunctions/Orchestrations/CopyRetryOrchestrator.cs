using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BackupFunctions.Orchestrations;

/// <summary>
/// Makes the failed copies of a backup again (POST /api/backups/{id}/replicate): replicate → verify for each, then
/// the backup's row and alerts are updated. Deterministic: all work is in activities.
/// </summary>
public static class CopyRetryOrchestrator
{
    [Function(FunctionNames.CopyRetryOrchestrator)]
    public static async Task<int> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var backupId = context.GetInput<string>()
            ?? throw new InvalidOperationException("The copy retry orchestration needs a backup id.");
        var retry = await context.CallActivityAsync<CopyRetryPlan?>(FunctionNames.PlanCopyRetry, backupId, BackupOrchestrator.Retried);
        if (retry is null || retry.FailedCopies.Count == 0)
            return 0;
        var outcomes = await Task.WhenAll(retry.FailedCopies.Select(index => BackupOrchestrator.CopyAsync(context, retry.Plan, index, retry.ManifestSha256)));
        await context.CallActivityAsync<BackupRecord>(FunctionNames.UpdateCopies, new CopyUpdateInput(retry.Plan, outcomes), BackupOrchestrator.Retried);
        return outcomes.Count(o => o.Error is null && o.Verification is { Ok: true });
    }
}
