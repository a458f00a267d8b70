namespace BackupFunctions.Core.Backups;

/// <summary>What <see cref="BackupLauncher.StartNowAsync(string, string, IBackupStarter, CancellationToken)"/> did.</summary>
public enum ManualStartOutcome
{
    /// <summary>The job row is written and its orchestration scheduled.</summary>
    Started,

    /// <summary>There is no config with that id.</summary>
    ConfigNotFound,

    /// <summary>The config already has <c>maxConcurrent</c> runs pending or running; nothing was started.</summary>
    AtConcurrencyLimit,

    /// <summary>A restore of the config is pending or running (it holds the whole config); nothing was started.</summary>
    RestoreRunning,
}
