namespace BackupFunctions.Core.Catalog;

/// <summary>
/// Pure progress arithmetic: the percentage blends finished steps with the bytes of the step in flight; speed is a
/// time-weighted moving average of the bytes moved between samples; the ETA divides the file bytes left by the speed.
/// </summary>
public static class JobProgressMath
{
    /// <summary>
    /// The time constant of the speed average: a sample's weight halves about every 7 s, so the speed follows the last
    /// few seconds (a stall shows within one or two samples) instead of the average since the start.
    /// </summary>
    public static readonly TimeSpan SpeedWindow = TimeSpan.FromSeconds(10);

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

    /// <summary>Sets how many bytes of database dump are written.</summary>
    public static JobProgress WithDatabaseBytes(JobProgress progress, long bytes)
        => Recompute(progress with { DatabaseBytes = bytes });

    /// <summary>
    /// Samples the bytes moved so far (files + database) at <paramref name="now"/> and updates the speed: the rate since
    /// the last sample, blended into the previous speed with weight <c>1 − e^(−elapsed / SpeedWindow)</c>, so a long gap
    /// between samples lets the new rate dominate. The first sample only starts the clock (speed stays unknown).
    /// A sample at or before the previous one changes nothing.
    /// </summary>
    public static JobProgress Sample(JobProgress progress, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var moved = progress.ProcessedBytes + progress.DatabaseBytes;
        if (progress.SampledAt is not { } last)
            return Recompute(progress with { SampledAt = now, SampledBytes = moved });
        var elapsed = (now - last).TotalSeconds;
        if (elapsed <= 0)
            return progress;
        // A retried step starts its count again: bytes going down are no speed, not negative speed.
        var rate = Math.Max(0, moved - progress.SampledBytes) / elapsed;
        var weight = 1 - Math.Exp(-elapsed / SpeedWindow.TotalSeconds);
        var speed = progress.Speed is { } previous ? previous + (weight * (rate - previous)) : rate;
        return Recompute(progress with { Speed = Math.Round(speed, 1), SampledAt = now, SampledBytes = moved });
    }

    /// <summary>
    /// Finished steps count fully; while bytes are moving, their fraction counts as part of one more step, so the
    /// percentage keeps moving during a long archive instead of jumping at its end. Never 100 before the last step.
    /// The ETA is 0 once every step is done, the file bytes left over the speed while they move, otherwise unknown.
    /// </summary>
    public static JobProgress Recompute(JobProgress p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.TotalSteps <= 0)
            return p with { Percentage = 0, Eta = null };
        var inFlight = p.TotalBytes > 0 && p.ProcessedBytes < p.TotalBytes && p.CompletedSteps < p.TotalSteps
            ? Math.Clamp((double)p.ProcessedBytes / p.TotalBytes, 0, 1) * 0.99
            : 0;
        var pct = 100.0 * (p.CompletedSteps + inFlight) / p.TotalSteps;
        long? eta = p.CompletedSteps >= p.TotalSteps ? 0
            : p is { Speed: > 0, TotalBytes: > 0 } && p.ProcessedBytes < p.TotalBytes
                ? (long)Math.Ceiling((p.TotalBytes - p.ProcessedBytes) / p.Speed.Value)
                : null;
        return p with { Percentage = Math.Round(Math.Min(pct, 100), 1), Eta = eta };
    }
}
