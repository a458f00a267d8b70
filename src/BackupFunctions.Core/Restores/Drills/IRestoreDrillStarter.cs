namespace BackupFunctions.Core.Restores.Drills;

/// <summary>Starts drill orchestrations (the app's Durable client; tests record).</summary>
public interface IRestoreDrillStarter
{
    /// <summary>Starts the orchestration of <paramref name="drillId"/> (its instance id).</summary>
    Task StartAsync(string drillId, CancellationToken cancellationToken);

    /// <summary>Whether the drill's orchestration exists and has not ended.</summary>
    Task<bool> IsRunningAsync(string drillId, CancellationToken cancellationToken);
}
