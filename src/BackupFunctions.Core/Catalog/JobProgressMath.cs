namespace BackupFunctions.Core.Catalog;

/// <summary>Pure progress arithmetic: the percentage blends finished steps with the bytes of the step in flight.</summary>
public static class JobProgressMath
{
    /// <summary>Sets the current step.</summary>
    public static JobProgress StartStep(JobProgress progress, string step, int totalSteps)
        => Recompute(progress with { CurrentStep = step, TotalSteps = totalSteps });

    /// <summary>Counts one more finished step.</summary>
    public static JobProgress CompleteStep(JobProgress progress)
        => Recompute(progress with { CompletedSteps = Math.Min(progress.CompletedSteps + 1, Math.Max(progress.TotalSteps, 1)) });

    /// <summary>Sets the totals the data steps will work through.</summary>
    public static JobProgress WithTotals(JobProgress progress, long totalFiles, long totalBytes)
        => Recompute(progress with { TotalFiles = totalFiles, TotalBytes = totalBytes });

    /// <summary>Sets how many files and bytes are done.</summary>
    public static JobProgress WithTransfer(JobProgress progress, long processedFiles, long processedBytes)
        => Recompute(progress with { ProcessedFiles = processedFiles, ProcessedBytes = processedBytes });

    /// <summary>
    /// Finished steps count fully; while bytes are moving, their fraction counts as part of one more step, so the
    /// percentage keeps moving during a long archive instead of jumping at its end. Never 100 before the last step.
    /// </summary>
    public static JobProgress Recompute(JobProgress p)
    {
        if (p.TotalSteps <= 0)
            return p with { Percentage = 0 };
        var inFlight = p.TotalBytes > 0 && p.ProcessedBytes < p.TotalBytes && p.CompletedSteps < p.TotalSteps
            ? Math.Clamp((double)p.ProcessedBytes / p.TotalBytes, 0, 1) * 0.99
            : 0;
        var pct = 100.0 * (p.CompletedSteps + inFlight) / p.TotalSteps;
        return p with { Percentage = Math.Round(Math.Min(pct, 100), 1) };
    }
}
