namespace BackupFunctions.Core.Restores.Drills;

/// <summary>How a request to drill a config now ended.</summary>
public enum DrillStartOutcome
{
    Started,
    ConfigNotFound,

    /// <summary>The config has no restore point yet.</summary>
    NoBackup,

    /// <summary>Another drill of the config is still running.</summary>
    AlreadyRunning,
}
