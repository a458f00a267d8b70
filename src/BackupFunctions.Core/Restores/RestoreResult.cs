using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores;

/// <summary>What a restore wrote, after every check passed.</summary>
public sealed record RestoreResult(string BackupId, long Files, long Bytes, bool DatabaseRestored, IReadOnlyList<TableRowCount> Tables);
