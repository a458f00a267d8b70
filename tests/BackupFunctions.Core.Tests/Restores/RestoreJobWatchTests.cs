using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Tests.Jobs;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// The watch over a running restore step (<see cref="RestoreJobWatch"/>) against the real catalog on Azurite with a fake
/// clock: the files and bytes the step reports reach the restore job's row while it runs, as a backup job's do.
/// </summary>
public sealed class RestoreJobWatchTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task A_running_steps_files_and_bytes_reach_the_row_each_interval_and_the_last_ones_when_it_ends()
    {
        var now = _engine.Clock.GetUtcNow();
        var job = new RestoreJob
        {
            Id = RestoreJobsTable.NewId(now),
            ConfigId = "cfg-w",
            BackupId = "b-1",
            Status = RestoreJobStatus.Running,
            CreatedAt = now,
            StartedAt = now,
            Progress = JobProgressMath.WithTotals(JobProgressMath.StartStep(new JobProgress { CompletedSteps = 3 }, RestoreJobSteps.StageFiles, RestoreJobSteps.Total), 10, 10_000),
        };
        Assert.True(await _engine.Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None));
        var midway = new TaskCompletionSource();
        var finish = new TaskCompletionSource();

        var step = RestoreJobWatch.WatchAsync(_engine.Catalog, job.Id, _engine.Clock, Interval, watchCancel: true, NullLogger.Instance, async (watch, ct) =>
        {
            watch.Report(new ArchiveProgress(2, 1_000));
            watch.Report(new ArchiveProgress(4, 4_000));
            midway.SetResult();
            await finish.Task.WaitAsync(ct);
            watch.Report(new ArchiveProgress(10, 10_000));
            return 0;
        }, CancellationToken.None);
        await midway.Task;
        _engine.Clock.Advance(Interval);
        var running = await WaitForAsync(job.Id, j => j.Progress.ProcessedFiles == 4);

        Assert.Equal((RestoreJobSteps.StageFiles, 4L, 10L, 4_000L, 10_000L),
            (running.Progress.CurrentStep, running.Progress.ProcessedFiles, running.Progress.TotalFiles, running.Progress.ProcessedBytes, running.Progress.TotalBytes));
        // Three steps done, and 40 % of the files' bytes as part of the fourth.
        Assert.Equal(Math.Round(100 * (3 + (0.4 * 0.99)) / RestoreJobSteps.Total, 1), running.Progress.Percentage);
        Assert.False(step.IsCompleted);

        finish.SetResult();
        await step;
        // The last figures are written when the step ends.
        var ended = (await _engine.Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal((10L, 10_000L), (ended.Progress.ProcessedFiles, ended.Progress.ProcessedBytes));
    }

    private async Task<RestoreJob> WaitForAsync(string id, Func<RestoreJob, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            var job = (await _engine.Catalog.RestoreJobs.GetAsync(id, CancellationToken.None))!;
            if (done(job))
                return job;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Restore job {id} did not get there: {(await _engine.Catalog.RestoreJobs.GetAsync(id, CancellationToken.None))?.Progress}");
    }
}
