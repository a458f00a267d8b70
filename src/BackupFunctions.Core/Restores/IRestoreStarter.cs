namespace BackupFunctions.Core.Restores;

/// <summary>Starts and signals restore orchestrations (the Durable client in the app); the restore job id is the instance id.</summary>
public interface IRestoreStarter
{
    /// <summary>Starts the restore orchestration of a restore job whose row is written (status pending).</summary>
    Task StartAsync(RestoreJobRequest request, CancellationToken cancellationToken);

    /// <summary>Whether the job's orchestration exists (a pending row without one was left by a start that died).</summary>
    Task<bool> ExistsAsync(string restoreJobId, CancellationToken cancellationToken);

    /// <summary>Tells the running orchestration to stop (after the job row's <c>cancelRequested</c> is set).</summary>
    Task RequestCancelAsync(string restoreJobId, CancellationToken cancellationToken);
}
