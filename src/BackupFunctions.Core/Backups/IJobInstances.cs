namespace BackupFunctions.Core.Backups;

/// <summary>The orchestration behind a job (instance id = job id). The Functions app implements it over the Durable client.</summary>
public interface IJobInstances
{
    /// <summary>Whether the job's orchestration exists, and whether it is still going.</summary>
    Task<JobInstanceState> GetStateAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Raises the cancel event on the job's running orchestration.</summary>
    Task RaiseCancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Stops the job's orchestration for good (it runs no more steps, not even its failure path).</summary>
    Task TerminateAsync(string jobId, string reason, CancellationToken cancellationToken);
}
