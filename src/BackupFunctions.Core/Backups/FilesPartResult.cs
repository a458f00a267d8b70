using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>The stored file volume, the file index that describes it, and counts.</summary>
public sealed record FilesPartResult(StoredPart Volume, StoredPart Index, long Files, long Folders, long Bytes)
{
    /// <summary>
    /// The first files that changed while they were archived (at most <c>FileChangeLog.MaxListed</c>: this result goes
    /// through orchestration history); <see cref="ChangedFileCount"/> counts them all.
    /// </summary>
    public IReadOnlyList<FileChange> ChangedFiles { get; init; } = [];

    public long ChangedFileCount { get; init; }
}
