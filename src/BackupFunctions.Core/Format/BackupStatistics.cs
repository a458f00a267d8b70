using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Format;

/// <summary>What one backup contains and what it cost.</summary>
public sealed record BackupStatistics
{
    public long Files { get; init; }
    public long Folders { get; init; }
    public long FilesBytes { get; init; }
    public int DatabaseTables { get; init; }
    public long DatabaseDumpBytes { get; init; }
    /// <summary>Plaintext bytes of all parts.</summary>
    public long OriginalBytes { get; init; }
    /// <summary>Stored bytes of all parts.</summary>
    public long StoredBytes { get; init; }
    /// <summary>OriginalBytes / StoredBytes (higher is better); 0 when nothing was stored.</summary>
    public double CompressionRatio { get; init; }
    public double DurationSeconds { get; init; }

    /// <summary>
    /// Files that changed while they were archived (see <see cref="Archive.FileChange"/>); left out when 0, so the
    /// manifests of backups without any stay as they were.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long ChangedFiles { get; init; }
}
