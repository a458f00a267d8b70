using BackupFunctions.Core.Restores.Drills;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// One restore drill of a config (the RestoreDrills table; <c>GET /api/restore-drills/{id}</c>). Its id is also the
/// drill orchestration's instance id.
/// </summary>
public sealed record RestoreDrill
{
    public required string Id { get; init; }
    public required string ConfigId { get; init; }

    /// <summary><c>manual</c> or <c>schedule</c>.</summary>
    public required string Trigger { get; init; }

    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>One of <see cref="RestoreDrillStatuses"/>.</summary>
    public string Status { get; init; } = RestoreDrillStatuses.Pending;

    /// <summary>The backup restored: the config's newest restore point when the drill started.</summary>
    public string? BackupId { get; init; }

    /// <summary>The scratch database (<c>&lt;db&gt;_drill_&lt;short id&gt;</c>) and folder; both are removed again.</summary>
    public string? ScratchDatabase { get; init; }

    public string? ScratchFolder { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The measured time to restore (RTO), seconds: the restore step alone, checks and cleanup not included.</summary>
    public double? DurationSeconds { get; init; }

    public long? Files { get; init; }
    public long? Bytes { get; init; }
    public int? Tables { get; init; }
    public IReadOnlyList<DrillCheckOutcome> Checks { get; init; } = [];

    /// <summary>True once the scratch database and folder are proven gone.</summary>
    public bool CleanedUp { get; init; }

    public string? Error { get; init; }
    public DateTimeOffset? LastUpdatedAt { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsFinished => RestoreDrillStatuses.IsFinished(Status);
}
