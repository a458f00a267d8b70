using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores;

/// <summary>The last step of a restore that went through: what the files and database steps did.</summary>
/// <param name="Files">The files restore's counts (staged, or verified); null when no files were restored.</param>
/// <param name="Tables">The tables restored with their rows; null when no database was restored.</param>
public sealed record RestoreFinishInput(RestoreJobPlan Plan, InPlaceRestoreCounts? Files, IReadOnlyList<TableRowCount>? Tables);
