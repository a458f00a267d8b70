using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// What the database step did. <see cref="Problem"/> set: the restore may have committed but does not match the backup
/// (a row count differs), so the database has to be put back like the files.
/// </summary>
public sealed record RestoreDatabaseOutcome(IReadOnlyList<TableRowCount> Tables, string? Problem = null);
