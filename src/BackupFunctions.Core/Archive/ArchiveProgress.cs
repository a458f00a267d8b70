namespace BackupFunctions.Core.Archive;

/// <summary>Files and bytes archived or extracted so far.</summary>
public readonly record struct ArchiveProgress(long Files, long Bytes);
