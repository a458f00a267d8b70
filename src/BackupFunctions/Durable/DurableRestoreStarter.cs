using BackupFunctions.Core.Restores;
using BackupFunctions.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Durable;

/// <summary>Starts and signals restore orchestrations through the Durable client; the restore job id is the instance id.</summary>
public sealed class DurableRestoreStarter(DurableTaskClient client) : IRestoreStarter
{
    public Task StartAsync(RestoreJobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return client.ScheduleNewOrchestrationInstanceAsync(
            FunctionNames.RestoreOrchestrator, request, new StartOrchestrationOptions(request.RestoreJobId), cancellationToken);
    }

    public async Task<bool> ExistsAsync(string restoreJobId, CancellationToken cancellationToken)
        => await client.GetInstanceAsync(restoreJobId, getInputsAndOutputs: false, cancellationToken) is not null;

    public Task RequestCancelAsync(string restoreJobId, CancellationToken cancellationToken)
        => client.RaiseEventAsync(restoreJobId, RestoreOrchestrator.CancelEvent, Core.Backups.JobCancellation.Reason, cancellationToken);
}
