using BackupFunctions.Core.Backups;
using BackupFunctions.Orchestrations;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Durable;

/// <summary>The job's backup orchestration through the Durable client (instance id = job id).</summary>
public sealed class DurableJobInstances(DurableTaskClient client) : IJobInstances
{
    public async Task<JobInstanceState> GetStateAsync(string jobId, CancellationToken cancellationToken)
    {
        var instance = await client.GetInstanceAsync(jobId, getInputsAndOutputs: false, cancellationToken);
        return instance is null ? JobInstanceState.Missing
            : instance.IsCompleted ? JobInstanceState.Ended
            : JobInstanceState.Active;
    }

    public Task RaiseCancelAsync(string jobId, CancellationToken cancellationToken)
        => client.RaiseEventAsync(jobId, BackupOrchestrator.CancelEvent, Core.Backups.JobCancellation.Reason, cancellationToken);

    public Task TerminateAsync(string jobId, string reason, CancellationToken cancellationToken)
        => client.TerminateInstanceAsync(jobId, new TerminateInstanceOptions { Output = reason }, cancellationToken);
}
