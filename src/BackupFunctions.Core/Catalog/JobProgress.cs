using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// How far a job is, as the user sees it. <see cref="ProcessedBytes"/> / <see cref="TotalBytes"/> are the issue's
/// "processedSize / totalSize" (the site files' bytes); they keep their first names because clients already read them.
/// </summary>
public sealed record JobProgress
{
    public string? CurrentStep { get; init; }
    public int CompletedSteps { get; init; }
    public int TotalSteps { get; init; }
    public double Percentage { get; init; }
    public long ProcessedFiles { get; init; }
    public long TotalFiles { get; init; }
    public long ProcessedBytes { get; init; }
    public long TotalBytes { get; init; }

    /// <summary>Bytes of database dump written so far (its total is not known before pg_dump ends).</summary>
    public long DatabaseBytes { get; init; }

    /// <summary>Bytes per second moved (files and database together) over the last seconds; null until measured.</summary>
    public double? Speed { get; init; }

    /// <summary>Seconds until the file bytes are through, at <see cref="Speed"/>; 0 when done; null when unknown.</summary>
    public long? Eta { get; init; }

    /// <summary>When <see cref="Speed"/> was last sampled (bookkeeping of <see cref="JobProgressMath.Sample"/>).</summary>
    [JsonIgnore]
    public DateTimeOffset? SampledAt { get; init; }

    /// <summary>Bytes moved at <see cref="SampledAt"/>.</summary>
    [JsonIgnore]
    public long SampledBytes { get; init; }
}
