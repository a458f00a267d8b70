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

    // An incremental's comparison with its base (docs/format.md, "Incremental backups"). Not "changedFiles": that name
    // has meant "changed while archived" since version 1. Left out when 0, so full backups' manifests stay as they were.

    /// <summary>Incremental: files not in the base (new paths, or a path that was a folder or link there).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long AddedFiles { get; init; }

    /// <summary>Incremental: files of the base whose size, modification time, mode (or content, compare <c>hash</c>) differ.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long ModifiedFiles { get; init; }

    /// <summary>Incremental: files whose index entries point at the backup already holding their content.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long UnchangedFiles { get; init; }

    /// <summary>Incremental: files of the base that are gone (or are no longer files).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long DeletedFiles { get; init; }
}
