using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Catalog;

/// <summary>What a finished restore changed: files per kind of change, bytes written, tables with their rows, and how long it took.</summary>
public sealed record RestoreJobResult
{
    public long FilesCreated { get; init; }
    /// <summary>Live files replaced by the backup's version, whether or not their content differed.</summary>
    public long FilesOverwritten { get; init; }

    /// <summary>
    /// Of <see cref="FilesOverwritten"/>, the live files that already held the backup's bytes (proven by SHA-256) and
    /// were kept as they were rather than rewritten: the others are what the restore changed.
    /// </summary>
    public long FilesUnchanged { get; init; }

    public long FilesDeleted { get; init; }

    /// <summary>Files of the backup not restored because they exist live and <c>overwriteExisting</c> was false.</summary>
    public long FilesSkipped { get; init; }

    public long Bytes { get; init; }
    public IReadOnlyList<TableRowCount> Tables { get; init; } = [];
    public double DurationSeconds { get; init; }
}
