using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores;

/// <summary>What <see cref="InPlaceRestorer.ProveAsync"/> found: what will be restored, for progress and the job's log.</summary>
/// <param name="Files">Whether site files will be restored (the target has a site root and the backup has files).</param>
/// <param name="Database">Whether the database will be restored.</param>
/// <param name="StoredBytes">Stored bytes of the parts the restore reads (progress total).</param>
/// <param name="FileCount">Files and links in the backup's index (progress total; 0 without files).</param>
/// <param name="Tables">The tables restored, with the row counts the backup recorded.</param>
/// <param name="FileBytes">Bytes of the files in the backup's index (progress total; 0 without files).</param>
public sealed record InPlaceRestoreProof(bool Files, bool Database, long StoredBytes, long FileCount, IReadOnlyList<TableRowCount> Tables, long FileBytes = 0);
