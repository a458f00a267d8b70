using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// What planning a backup's files produced: the stored plan (<see cref="ObjectNames.Plan"/>, which entry goes into
/// which volume) and small numbers. This goes through orchestration history, so it never lists the entries.
/// </summary>
public sealed record VolumePlanResult(StoredPart Plan, int Volumes, long Files, long Folders, long Bytes)
{
    /// <summary>Entries that changed kind or vanished while the site was listed: the first few, and how many in all.</summary>
    public IReadOnlyList<FileChange> ChangedFiles { get; init; } = [];

    public long ChangedFileCount { get; init; }

    /// <summary>Components below a folder that is a link (nothing of them is backed up): the first few, and how many.</summary>
    public IReadOnlyList<LinkedComponent> LinkedComponents { get; init; } = [];

    public long LinkedComponentCount { get; init; }

    /// <summary>Volumes that hold only files the planner was told to keep apart (stored uncompressed, item 3).</summary>
    public IReadOnlyList<int> SeparateVolumes { get; init; } = [];

    /// <summary>How many volumes the orchestration writes at once (<see cref="VolumeOptions.MaxParallelVolumes"/> when planned).</summary>
    public int MaxParallelVolumes { get; init; } = 1;

    /// <summary>An incremental backup's comparison with its base; null for a full one.</summary>
    public IncrementalPlan? Incremental { get; init; }
}
