namespace BackupFunctions.Core.Archive;

/// <summary>What <see cref="SiteArchiver"/> wrote.</summary>
public sealed record ArchiveResult(IReadOnlyList<FileIndexEntry> Entries, long Files, long Folders, long Bytes)
{
    /// <summary>Entries that changed while they were archived: the first few (see <see cref="ChangedFileCount"/> for all).</summary>
    public IReadOnlyList<FileChange> ChangedFiles { get; init; } = [];

    /// <summary>How many entries changed while they were archived.</summary>
    public long ChangedFileCount { get; init; }

    /// <summary>
    /// Components that are themselves symbolic links, stored as links (what they point to is not in the archive): the
    /// first few (see <see cref="LinkedComponentCount"/> for all).
    /// </summary>
    public IReadOnlyList<LinkedComponent> LinkedComponents { get; init; } = [];

    /// <summary>How many components are symbolic links.</summary>
    public long LinkedComponentCount { get; init; }
}
