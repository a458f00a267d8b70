using BackupFunctions.Core.Backups;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Timers;

/// <summary>
/// Hourly: purges the Durable history of finished orchestrations. Their outcome lives on in the job rows and the
/// backups; the history only holds inputs and outputs — among them each backup's transit-sealed data key, which
/// should not outlive the backup run. Then removes finished jobs past <c>Jobs:KeepHistoryDays</c> with their logs
/// (<see cref="JobHistoryPurge"/>).
/// </summary>
public sealed class HistoryPurgeTimer(TimeProvider time, ILogger<HistoryPurgeTimer> logger, JobHistoryPurge jobs)
{
    /// <summary>How long a finished orchestration's history is kept (for the portal's monitoring).</summary>
    public static readonly TimeSpan KeepFor = TimeSpan.FromHours(1);

    [Function(FunctionNames.PurgeHistory)]
    public async Task Run(
        [TimerTrigger("0 17 * * * *")] TimerInfo timer,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        // One purge per instance: the filtered purge-all is not offered by every backend (the in-process test host).
        var query = new OrchestrationQuery(
            CreatedFrom: null,
            CreatedTo: time.GetUtcNow() - KeepFor,
            Statuses: [OrchestrationRuntimeStatus.Completed, OrchestrationRuntimeStatus.Failed, OrchestrationRuntimeStatus.Terminated]);
        var purged = 0;
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken))
        {
            var result = await client.PurgeInstanceAsync(instance.InstanceId, cancellationToken);
            purged += result.PurgedInstanceCount;
        }
        logger.LogInformation("Purged the history of {Count} finished orchestrations", purged);
        await jobs.PurgeAsync(cancellationToken);
    }
}
