using BackupFunctions.Core.Backups;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Durable;

/// <summary>Starts backup orchestrations through the Durable client; the job id is the instance id.</summary>
public sealed class DurableBackupStarter(DurableTaskClient client) : IBackupStarter
{
    public async Task<bool> ExistsAsync(string instanceId, CancellationToken cancellationToken)
        => await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is not null;

    public Task StartAsync(BackupRequest request, CancellationToken cancellationToken)
        => client.ScheduleNewOrchestrationInstanceAsync(
            FunctionNames.BackupOrchestrator, request, new StartOrchestrationOptions(request.JobId), cancellationToken);
}
