using BackupFunctions.Core.Restores.Drills;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace BackupFunctions.Durable;

/// <summary>Starts restore drill orchestrations through the Durable client; the drill id is the instance id.</summary>
public sealed class DurableRestoreDrillStarter(DurableTaskClient client) : IRestoreDrillStarter
{
    public Task StartAsync(string drillId, CancellationToken cancellationToken)
        => client.ScheduleNewOrchestrationInstanceAsync(
            FunctionNames.RestoreDrillOrchestrator, drillId, new StartOrchestrationOptions(drillId), cancellationToken);

    public async Task<bool> IsRunningAsync(string drillId, CancellationToken cancellationToken)
        => await client.GetInstanceAsync(drillId, getInputsAndOutputs: false, cancellationToken) is { IsCompleted: false };
}
