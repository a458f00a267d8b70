using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Catalog;

/// <summary>What a finished restore changed: files per kind of change, bytes written, tables with their rows, and how long it took.</summary>
public sealed record RestoreJobResult
{
    public long FilesCreated { get; init; }
    public long FilesOverwritten { get; init; }
    public long FilesDeleted { get; init; }

    /// <summary>Files left as they were (unchanged, or kept because <c>overwriteExisting</c> was false).</summary>
    public long FilesSkipped { get; init; }

    public long Bytes { get; init; }
    public IReadOnlyList<TableRowCount> Tables { get; init; } = [];
    public double DurationSeconds { get; init; }
}
