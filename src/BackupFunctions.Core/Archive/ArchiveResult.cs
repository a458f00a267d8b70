namespace BackupFunctions.Core.Archive;

/// <summary>What <see cref="SiteArchiver"/> wrote.</summary>
public sealed record ArchiveResult(IReadOnlyList<FileIndexEntry> Entries, long Files, long Folders, long Bytes);
