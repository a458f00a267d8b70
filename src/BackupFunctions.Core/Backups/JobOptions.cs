namespace BackupFunctions.Core.Backups;

/// <summary>How running jobs report and are watched (settings section <c>Jobs</c>).</summary>
public sealed class JobOptions
{
    public const string SectionName = "Jobs";

    /// <summary>
    /// Seconds between progress writes of a running step (at most one table write per interval); also how quickly a
    /// step notices a cancel request. Default 2.
    /// </summary>
    public double ProgressIntervalSeconds { get; set; } = 2;

    /// <summary>
    /// Minutes a pending or running job's row may go without an update before the watchdog fails it. Running steps
    /// write progress or a heartbeat at least every minute, so only a dead run gets there. Default 30.
    /// </summary>
    public int StaleAfterMinutes { get; set; } = 30;

    /// <summary>
    /// Days a finished job's row and log are kept (the hourly purge removes older ones). The backups themselves are
    /// not affected: their rows and objects follow the retention policy. Default 90.
    /// </summary>
    public int KeepHistoryDays { get; set; } = 90;

    public TimeSpan ProgressInterval => TimeSpan.FromSeconds(ProgressIntervalSeconds);

    public TimeSpan StaleAfter => TimeSpan.FromMinutes(StaleAfterMinutes);

    public TimeSpan KeepHistory => TimeSpan.FromDays(KeepHistoryDays);

    /// <summary>Null when valid, else what is wrong (for start-up validation).</summary>
    public string? Validate()
        => ProgressIntervalSeconds is < 0.1 or > 60 ? "Jobs:ProgressIntervalSeconds must be 0.1-60."
            : StaleAfterMinutes is < 5 or > 1440 ? "Jobs:StaleAfterMinutes must be 5-1440."
            : KeepHistoryDays is < 7 or > 3650 ? "Jobs:KeepHistoryDays must be 7-3650."
            : null;
}
