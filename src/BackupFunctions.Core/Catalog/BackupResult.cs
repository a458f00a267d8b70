using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// What a completed backup job made (the seed's BackupResult), as the backup's row holds it: embedded in the job once
/// the backup is recorded, and kept there when the backup is later removed (the job is history).
/// </summary>
/// <param name="SizeBytes">Stored bytes of all objects (parts, index, manifest).</param>
/// <param name="DurationSeconds">The job's run time, from its start to the recorded backup.</param>
/// <param name="Checksum">SHA-256 (hex) of the stored manifest.json: identifies this exact backup.</param>
/// <param name="Locations">Where each copy is (the primary first), as the backup's row names them.</param>
public sealed record BackupResult(
    string BackupId,
    string Type,
    string Status,
    long SizeBytes,
    double DurationSeconds,
    long Files,
    long Folders,
    long FilesBytes,
    long DatabaseDumpBytes,
    int DatabaseTables,
    double CompressionRatio,
    string Compression,
    string Encryption,
    string Checksum,
    IReadOnlyList<string> Locations,
    DateTimeOffset CompletedAt)
{
    public static BackupResult Of(BackupRecord backup, double? durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(backup);
        var statistics = backup.Statistics;
        return new BackupResult(
            backup.Id, backup.Type, backup.Status, backup.SizeBytes,
            durationSeconds ?? Math.Round((backup.CompletedAt - backup.CreatedAt).TotalSeconds, 3),
            statistics.Files, statistics.Folders, statistics.FilesBytes, statistics.DatabaseDumpBytes, statistics.DatabaseTables,
            backup.CompressionRatio, backup.Compression, backup.Encryption, backup.Checksum,
            [.. backup.Locations.OrderBy(l => l.Primary ? 0 : 1).ThenBy(l => l.Index).Select(l => l.Location)],
            backup.CompletedAt);
    }
}
