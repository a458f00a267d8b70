namespace BackupFunctions.Core.Backups;

/// <summary>Starts the orchestration of a job. The Functions app implements it over the Durable client.</summary>
public interface IBackupStarter
{
    /// <summary>True when an orchestration instance with this id exists (in any state).</summary>
    Task<bool> ExistsAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>Schedules the backup orchestration with instance id = <paramref name="request"/>.JobId.</summary>
    Task StartAsync(BackupRequest request, CancellationToken cancellationToken);
}
