using BackupFunctions.Core.Restores;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// One restore of a backup (the RestoreJobs table; <c>GET /api/restore-jobs/{id}</c>). Its id (see
/// <see cref="RestoreJobsTable.NewId"/>) is also the restore orchestration's instance id.
/// </summary>
public sealed record RestoreJob
{
    public required string Id { get; init; }
    public required string ConfigId { get; init; }
    public required string BackupId { get; init; }
    public RestoreJobStatus Status { get; init; } = RestoreJobStatus.Pending;
    public RestoreOptions Options { get; init; } = new();

    /// <summary>The backup of the live state taken before anything was touched (null: none, or not yet).</summary>
    public string? PreRestoreBackupId { get; init; }

    public JobProgress Progress { get; init; } = new();

    /// <summary>Set when the restore completed (or rolled back: then what it had done before being undone).</summary>
    public RestoreJobResult? Result { get; init; }

    public string? Error { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Set by the cancel request; the running step sees it and stops (rolling back when the live site was touched).</summary>
    public bool CancelRequested { get; init; }

    /// <summary>When the row was last written (every update sets it): the watchdog's clock, as for backup jobs.</summary>
    public DateTimeOffset? LastUpdatedAt { get; init; }

    /// <summary>Whether the restore has ended: nothing changes it any more.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinished => Status is not (RestoreJobStatus.Pending or RestoreJobStatus.Running);
}
