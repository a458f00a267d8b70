namespace BackupFunctions.Core.Catalog;

/// <summary>How far a job is, as the user sees it.</summary>
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
}
