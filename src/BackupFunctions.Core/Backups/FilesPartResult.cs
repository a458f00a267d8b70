using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>The stored file volume, the file index that describes it, and counts.</summary>
public sealed record FilesPartResult(StoredPart Volume, StoredPart Index, long Files, long Folders, long Bytes)
{
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
}
