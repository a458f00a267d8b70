using System.Text.Json.Serialization;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>The stored file volumes (in volume order, from <c>files-00001.part</c>), the file index that describes them, and counts.</summary>
public sealed record FilesPartResult(IReadOnlyList<StoredPart> Volumes, StoredPart Index, long Files, long Folders, long Bytes)
{
    /// <summary>The first volume (the only one of a site that fits one).</summary>
    [JsonIgnore]
    public StoredPart Volume => Volumes[0];

    /// <summary>
    /// The first files that changed while they were archived (at most <see cref="FileChange.MaxListed"/>: this result
    /// goes through orchestration history); <see cref="ChangedFileCount"/> counts them all.
    /// </summary>
    public IReadOnlyList<FileChange> ChangedFiles { get; init; } = [];

    public long ChangedFileCount { get; init; }

    /// <summary>
    /// Components that are symbolic links, stored as links (their content is not in the backup): the first
    /// <see cref="LinkedComponent.MaxListed"/>, as for <see cref="ChangedFiles"/>; <see cref="LinkedComponentCount"/>
    /// counts them all.
    /// </summary>
    public IReadOnlyList<LinkedComponent> LinkedComponents { get; init; } = [];

    public long LinkedComponentCount { get; init; }

    /// <summary>An incremental backup's comparison with its base (its index holds the unchanged files too); null for a full one.</summary>
    public IncrementalPlan? Incremental { get; init; }
}
