namespace BackupFunctions.Core.Catalog;

/// <summary>
/// One run of a config: the user's view of a backup in progress or finished. Its id is also the Durable
/// orchestration instance id and the id of the backup it produces.
/// </summary>
public sealed record BackupJob
{
    public required string Id { get; init; }
    public required string ConfigId { get; init; }
    /// <summary><c>manual</c> (API) or <c>schedule</c> (timer).</summary>
    public required string Trigger { get; init; }

    /// <summary>The config's name and the run's date (<see cref="JobNames.Of"/>); null for jobs recorded before the column existed.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Who started it: for a manual run the caller (the CMS's <c>X-Requested-By</c>, the App Service authentication
    /// principal, or <c>api</c>), <c>schedule</c> for a timer run, <c>restore &lt;restore job id&gt;</c> for a pre-restore
    /// backup. Null for jobs recorded before the column existed.
    /// </summary>
    public string? CreatedBy { get; init; }

    /// <summary>
    /// What the run makes (one of <see cref="Format.BackupTypes"/>): set from the config's parts when the job starts,
    /// and to <c>incremental</c> or <c>full</c> when the files are planned (a config of type incremental makes a full
    /// backup when it has no usable base). Null for jobs recorded before the column existed, and until the job starts.
    /// </summary>
    public string? Type { get; init; }

    /// <summary>An incremental run's base backup (set when the files are planned); null otherwise.</summary>
    public string? BaseBackupId { get; init; }

    /// <summary>An incremental run's comparison with its base, once the files are planned; null otherwise.</summary>
    public IncrementalCounts? Comparison { get; init; }
    public JobStatus Status { get; init; } = JobStatus.Pending;
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>The schedule slot this run belongs to (scheduled runs only).</summary>
    public DateTimeOffset? ScheduledFor { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public double? DurationSeconds { get; init; }
    public string? Error { get; init; }

    /// <summary>What went wrong without failing the job (a replica that could not be written), one line each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>
    /// Files that changed while the backup read them (a growing log, a replaced cache file): the first few, see
    /// <see cref="ChangedFileCount"/> for all. Notes, not warnings: the backup holds each as described in its index.
    /// </summary>
    public IReadOnlyList<Archive.FileChange> ChangedFiles { get; init; } = [];

    public long ChangedFileCount { get; init; }

    /// <summary>
    /// Components of the site that are symbolic links (e.g. <c>uploads</c> linked to a mounted volume): stored as links,
    /// so what they point to is not in the backup. Like <see cref="ChangedFiles"/>, not a warning that changes the
    /// status (the backup holds the site as it is), but the job's log says it as one. The first few;
    /// <see cref="LinkedComponentCount"/> counts them all.
    /// </summary>
    public IReadOnlyList<Archive.LinkedComponent> LinkedComponents { get; init; } = [];

    public long LinkedComponentCount { get; init; }
    public JobProgress Progress { get; init; } = new();
    /// <summary>Set when the backup has been recorded.</summary>
    public string? BackupId { get; init; }

    /// <summary>What the run made (the seed's BackupResult), set with <see cref="BackupId"/>; null until then.</summary>
    public BackupResult? Result { get; init; }

    /// <summary>How the notifications about this run fared, per channel (notes, not warnings: they never change the status).</summary>
    public IReadOnlyList<Notifications.NotificationDelivery> Notifications { get; init; } = [];
    /// <summary>
    /// Set by <c>POST /api/backup-jobs/{id}/cancel</c>; the running step sees it within a progress interval and stops,
    /// then the orchestration removes what the run wrote and marks the job <see cref="JobStatus.Cancelled"/>.
    /// </summary>
    public bool CancelRequested { get; init; }

    /// <summary>When the row was last written (every update sets it; progress writes and heartbeats count): the watchdog's clock.</summary>
    public DateTimeOffset? LastUpdatedAt { get; init; }

    /// <summary>Whether the job has ended (completed, with warnings, failed, cancelled or skipped): nothing changes it any more.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinished => Status is not (JobStatus.Pending or JobStatus.Running);
}
