namespace BackupFunctions.Core.Catalog;

/// <summary>Where a job is. Serialized as the lowercase words: pending, running, completed, completed_with_warnings, failed, cancelled, skipped.</summary>
public enum JobStatus
{
    Pending,
    Running,
    Completed,

    /// <summary>The backup is good on its primary, but something around it failed (a replica copy); see the job's warnings.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("completed_with_warnings")]
    CompletedWithWarnings,
    Failed,

    /// <summary>Stopped on request (<c>POST /api/backup-jobs/{id}/cancel</c>); its partial objects were removed.</summary>
    Cancelled,

    /// <summary>A scheduled slot that did not run because the config already had <c>maxConcurrent</c> runs going.</summary>
    Skipped,
}
