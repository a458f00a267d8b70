using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Backups;

public sealed class JobProgressMathTests
{
    public static TheoryData<int, int, long, long, double> Cases => new()
    {
        // completed steps, total steps, processed bytes, total bytes → percentage
        { 0, 6, 0, 0, 0 },
        { 3, 6, 0, 0, 50 },
        { 6, 6, 0, 0, 100 },
        { 3, 6, 0, 1000, 50 },             // bytes not moving yet
        { 3, 6, 500, 1000, 58.2 },         // half the bytes of the step in flight count as ~half a step
        { 3, 6, 1000, 1000, 50 },          // bytes done but the step not finished: no double count
        { 5, 6, 999, 1000, 99.8 },         // never 100 before the last step
        { 0, 0, 10, 10, 0 },               // no steps known yet
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Percentage_blends_finished_steps_with_the_bytes_in_flight(int completed, int total, long processed, long totalBytes, double expected)
    {
        var progress = JobProgressMath.Recompute(new JobProgress
        {
            CompletedSteps = completed, TotalSteps = total, ProcessedBytes = processed, TotalBytes = totalBytes,
        });

        Assert.Equal(expected, progress.Percentage);
    }

    [Fact]
    public void Completing_steps_never_goes_past_the_total()
    {
        var progress = new JobProgress { TotalSteps = 2 };
        for (var i = 0; i < 5; i++)
            progress = JobProgressMath.CompleteStep(progress);

        Assert.Equal(2, progress.CompletedSteps);
        Assert.Equal(100, progress.Percentage);
    }

    /// <summary>
    /// Samples (seconds after the start, file bytes, database bytes) fed in order; the speed after the last one.
    /// Expected values: rate r over the last gap of g seconds blends into the previous speed s with weight
    /// w = 1 − e^(−g/10): s + w·(r − s).
    /// </summary>
    public static TheoryData<string, (double At, long Files, long Db)[], double?> SpeedCases => new()
    {
        { "one sample starts the clock: unknown", [(0, 0, 0)], null },
        { "second sample: the plain rate", [(0, 0, 0), (2, 2000, 0)], 1000 },
        { "database bytes count too", [(0, 0, 0), (2, 1000, 1000)], 1000 },
        // 1000 B/s, then 2 s at 3000 B/s: 1000 + (1 − e^−0.2)·2000 = 1362.5
        { "a faster stretch pulls the speed up gradually", [(0, 0, 0), (2, 2000, 0), (4, 8000, 0)], 1362.5 },
        // 1000 B/s, then 60 s of nothing: 1000 + (1 − e^−6)·(0 − 1000) = 2.5 — a stall shows, the start is forgotten
        { "a long stall forgets the early speed", [(0, 0, 0), (2, 2000, 0), (62, 2000, 0)], 2.5 },
        // bytes going back (a retried step restarts its count) is no speed, not negative speed
        { "a restarted count is zero rate, not negative", [(0, 0, 0), (2, 2000, 0), (4, 0, 0)], 818.7 },
        { "a sample at the same instant changes nothing", [(0, 0, 0), (2, 2000, 0), (2, 9000, 0)], 1000 },
    };

    [Theory]
    [MemberData(nameof(SpeedCases))]
    public void Speed_follows_the_recent_rate_not_the_average_since_start(string because, (double At, long Files, long Db)[] samples, double? expected)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var start = clock.GetUtcNow();
        var progress = new JobProgress { TotalSteps = 8, CompletedSteps = 3, TotalBytes = 1_000_000 };
        foreach (var (at, files, db) in samples)
        {
            clock.SetUtcNow(start + TimeSpan.FromSeconds(at));
            progress = JobProgressMath.Sample(JobProgressMath.WithDatabaseBytes(JobProgressMath.WithTransfer(progress, 1, files), db), clock.GetUtcNow());
        }

        Assert.True(expected == progress.Speed, $"{because}: expected {expected}, got {progress.Speed}");
    }

    public static TheoryData<int, int, long, long, double?, long?> EtaCases => new()
    {
        // completed, total steps, processed bytes, total bytes, speed → eta seconds
        { 3, 8, 0, 10_000, 1000, 10 },
        { 3, 8, 2_500, 10_000, 1000, 8 },          // 7.5 s rounds up
        { 3, 8, 2_500, 10_000, null, null },       // no speed yet: unknown
        { 3, 8, 2_500, 10_000, 0, null },          // stalled: unknown, not infinite
        { 3, 8, 0, 0, 1000, null },                // nothing to measure against (database only)
        { 5, 8, 10_000, 10_000, 1000, null },      // files through, later steps: unknown
        { 8, 8, 10_000, 10_000, 1000, 0 },         // done
    };

    [Theory]
    [MemberData(nameof(EtaCases))]
    public void Eta_is_the_file_bytes_left_over_the_speed(int completed, int total, long processed, long totalBytes, double? speed, long? expected)
    {
        var progress = JobProgressMath.Recompute(new JobProgress
        {
            CompletedSteps = completed, TotalSteps = total, ProcessedBytes = processed, TotalBytes = totalBytes, Speed = speed,
        });

        Assert.Equal(expected, progress.Eta);
    }

    [Fact]
    public void Sampling_keeps_the_percentage_and_the_eta_in_step()
    {
        var t0 = DateTimeOffset.Parse("2026-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var progress = JobProgressMath.Sample(JobProgressMath.WithTotals(new JobProgress { TotalSteps = 4, CompletedSteps = 2 }, 10, 10_000), t0);
        progress = JobProgressMath.Sample(JobProgressMath.WithTransfer(progress, 5, 5_000), t0.AddSeconds(5));

        Assert.Equal(1000, progress.Speed);
        Assert.Equal(5, progress.Eta);
        Assert.Equal(62.4, progress.Percentage);
    }
}
