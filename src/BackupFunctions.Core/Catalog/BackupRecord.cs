using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Catalog;

/// <summary>A completed backup in the catalog (one row per backup). The destinations' manifests are the truth; this is their index.</summary>
public sealed record BackupRecord
{
    public required string Id { get; init; }
    public required string ConfigId { get; init; }
    public required string JobId { get; init; }
    /// <summary>One of <see cref="BackupTypes"/>, as the manifest says (rows of older versions: <c>full</c>).</summary>
    public string Type { get; init; } = BackupTypes.Full;

    /// <summary>An incremental's base (the backup its files were compared with); null otherwise.</summary>
    public string? BaseBackupId { get; init; }

    /// <summary>
    /// The backups this one's index points into (the manifest's <c>references</c>): it cannot be restored without
    /// them, so retention keeps them and no deletion removes them while this one is kept. Empty for a backup that holds
    /// all its files itself.
    /// </summary>
    public IReadOnlyList<string> ReferencedBackupIds { get; init; } = [];

    /// <summary>An incremental's comparison with its base (every count, zeros included); null for other types.</summary>
    public IncrementalCounts? Comparison => Type == BackupTypes.Incremental ? IncrementalCounts.Of(Statistics) : null;

    /// <summary>
    /// What started the job that made it: <c>manual</c>, <c>schedule</c> or <c>pre-restore</c> (the backup of the live
    /// state a restore takes first; retention keeps it for <see cref="Retention.RetentionPlanner.PreRestoreKeep"/>).
    /// Null for rows recorded before the column existed.
    /// </summary>
    public string? Trigger { get; init; }
    public string Status { get; init; } = "completed";
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset CompletedAt { get; init; }
    /// <summary>Stored bytes of all objects.</summary>
    public required long SizeBytes { get; init; }
    /// <summary>SHA-256 (hex) of the stored manifest.json: identifies this exact backup.</summary>
    public required string Checksum { get; init; }
    public required double CompressionRatio { get; init; }
    public required string Compression { get; init; }
    public required string Encryption { get; init; }
    public required BackupStatistics Statistics { get; init; }
    public required IReadOnlyList<BackupLocation> Locations { get; init; }

    /// <summary>
    /// While <see cref="Status"/> is <see cref="BackupStatuses.Deleting"/>: why the last removal did not finish (a
    /// destination that was down); the next retention run tries again. Null otherwise.
    /// </summary>
    public string? DeletionError { get; init; }

    /// <summary>The latest finished restore drill of this backup (null: never drilled).</summary>
    public LastRestoreDrill? LastRestoreDrill { get; init; }
}
