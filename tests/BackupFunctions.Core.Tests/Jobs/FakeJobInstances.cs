using System.Collections.Concurrent;
using BackupFunctions.Core.Backups;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// Orchestration states set by the test, recording what was asked of them. (The real implementation is a thin wrapper
/// over the Durable client, exercised by the app tests.)
/// </summary>
public sealed class FakeJobInstances : IJobInstances
{
    public ConcurrentDictionary<string, JobInstanceState> States { get; } = new();

    public ConcurrentQueue<string> CancelsRaised { get; } = new();

    public ConcurrentQueue<(string JobId, string Reason)> Terminated { get; } = new();

    public Task<JobInstanceState> GetStateAsync(string jobId, CancellationToken cancellationToken)
        => Task.FromResult(States.TryGetValue(jobId, out var state) ? state : JobInstanceState.Missing);

    public Task RaiseCancelAsync(string jobId, CancellationToken cancellationToken)
    {
        CancelsRaised.Enqueue(jobId);
        return Task.CompletedTask;
    }

    public Task TerminateAsync(string jobId, string reason, CancellationToken cancellationToken)
    {
        Terminated.Enqueue((jobId, reason));
        States[jobId] = JobInstanceState.Ended;
        return Task.CompletedTask;
    }
}
