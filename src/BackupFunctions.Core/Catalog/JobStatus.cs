namespace BackupFunctions.Core.Catalog;

/// <summary>Where a job is. Serialized as the lowercase words: pending, running, completed, completed_with_warnings, failed.</summary>
public enum JobStatus
{
    Pending,
    Running,
    Completed,

    /// <summary>The backup is good on its primary, but something around it failed (a replica copy); see the job's warnings.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("completed_with_warnings")]
    CompletedWithWarnings,
    Failed,
}
