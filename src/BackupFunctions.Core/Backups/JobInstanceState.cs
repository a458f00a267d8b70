namespace BackupFunctions.Core.Backups;

/// <summary>Where a job's orchestration is, as far as a job's lifecycle cares.</summary>
public enum JobInstanceState
{
    /// <summary>No orchestration with the job's id (never started, or its history was purged).</summary>
    Missing,

    /// <summary>Pending, running or suspended: it will still move the job.</summary>
    Active,

    /// <summary>Completed, failed or terminated: it will not touch the job again.</summary>
    Ended,
}
