using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>The stored database dump and what it came from.</summary>
public sealed record DatabasePartResult(StoredPart Part, DatabaseSourceInfo Source);
