using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>The stored file volume, the file index that describes it, and counts.</summary>
public sealed record FilesPartResult(StoredPart Volume, StoredPart Index, long Files, long Folders, long Bytes);
