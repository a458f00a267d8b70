using BackupFunctions.Core.Retention;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace BackupFunctions.Orchestrations;

/// <summary>
/// Applies a config's retention policy on request (POST /api/backup-configs/{id}/cleanup with dryRun false): removing
/// from remote destinations can outlast an HTTP request. One per config at a time (<see cref="InstanceIdFor"/>).
/// </summary>
public static class RetentionOrchestrator
{
    public static string InstanceIdFor(string configId) => $"retention-{configId}";

    [Function(FunctionNames.RetentionOrchestrator)]
    public static Task<RetentionReport?> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        var request = context.GetInput<RetentionRequest>()
            ?? throw new InvalidOperationException("The retention orchestration needs a RetentionRequest input.");
        return context.CallActivityAsync<RetentionReport?>(FunctionNames.ApplyRetention, request, BackupOrchestrator.Retried);
    }
}
