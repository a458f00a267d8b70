using BackupFunctions.Core.Catalog;

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
}
