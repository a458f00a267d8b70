using BackupFunctions.Core.Verification;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Durable;

/// <summary>Starts verification orchestrations: one per backup at a time (the instance id is derived from the backup id).</summary>
public static class DurableVerificationStarter
{
    /// <returns>False when a verification of the backup is still running (nothing is started then).</returns>
    public static async Task<bool> TryStartAsync(DurableTaskClient client, VerificationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        var instanceId = VerificationRequest.InstanceIdFor(request.BackupId);
        var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (existing is not null && !existing.IsCompleted)
            return false;
        await client.ScheduleNewOrchestrationInstanceAsync(
            FunctionNames.VerificationOrchestrator, request, new StartOrchestrationOptions(instanceId), cancellationToken);
        return true;
    }
}
