namespace BackupFunctions.Core.Catalog;

/// <summary>Where a job is. Serialized as the lowercase words: pending, running, completed, failed.</summary>
public enum JobStatus
{
    Pending,
    Running,
    Completed,
    Failed,
}
