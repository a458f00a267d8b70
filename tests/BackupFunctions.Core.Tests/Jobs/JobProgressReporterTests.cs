using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>The watch over a running step: throttled progress writes with speed, heartbeats, and the cancel flag.</summary>
public sealed class JobProgressReporterTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task Progress_is_written_once_per_interval_with_the_latest_figures_and_a_speed()
    {
        var job = await _engine.CreateJobAsync("cfg-p", JobStatus.Running, TimeSpan.Zero);
        await _engine.Catalog.Jobs.UpdateAsync(job.Id, j => j with { Progress = JobProgressMath.WithTotals(j.Progress, 100, 100_000) }, CancellationToken.None);
        var reporter = new JobProgressReporter(_engine.Catalog, job.Id, _engine.Clock, Interval, NullLogger.Instance);
        await using (reporter)
        {
            reporter.Report(new ArchiveProgress(1, 1_000));
            reporter.Report(new ArchiveProgress(2, 2_000));
            // Nothing is written between ticks, however many reports.
            await Task.Delay(300);
            Assert.Equal(0, (await GetAsync(job.Id)).Progress.ProcessedBytes);

            _engine.Clock.Advance(Interval);
            var first = await WaitForAsync(job.Id, j => j.Progress.ProcessedBytes == 2_000);
            Assert.Null(first.Progress.Speed);

            reporter.Report(new ArchiveProgress(30, 22_000));
            _engine.Clock.Advance(Interval);
            var second = await WaitForAsync(job.Id, j => j.Progress.ProcessedBytes == 22_000);
            Assert.Equal(10_000, second.Progress.Speed);
            Assert.Equal(8, second.Progress.Eta);
            Assert.Equal(30, second.Progress.ProcessedFiles);
            Assert.Equal(_engine.Clock.GetUtcNow(), second.LastUpdatedAt);

            reporter.Report(new ArchiveProgress(31, 23_000));
        }
        // The last figures are written on dispose.
        Assert.Equal(23_000, (await GetAsync(job.Id)).Progress.ProcessedBytes);
    }

    [Fact]
    public async Task A_step_that_moves_nothing_still_writes_a_heartbeat_every_minute()
    {
        var job = await _engine.CreateJobAsync("cfg-h", JobStatus.Running, TimeSpan.FromMinutes(5));
        await using var reporter = new JobProgressReporter(_engine.Catalog, job.Id, _engine.Clock, Interval, NullLogger.Instance);

        for (var i = 0; i < 29; i++)
        {
            _engine.Clock.Advance(Interval);
            await Task.Delay(20);
        }
        Assert.Equal(job.LastUpdatedAt, (await GetAsync(job.Id)).LastUpdatedAt);

        _engine.Clock.Advance(Interval);
        var beat = await WaitForAsync(job.Id, j => j.LastUpdatedAt != job.LastUpdatedAt);
        Assert.Equal(_engine.Clock.GetUtcNow(), beat.LastUpdatedAt);
    }

    [Fact]
    public async Task The_cancel_flag_stops_the_step_within_one_interval_and_surfaces_as_JobCancelledException()
    {
        var job = await _engine.CreateJobAsync("cfg-c", JobStatus.Running, TimeSpan.Zero);
        var started = new TaskCompletionSource();

        var step = JobProgressReporter.WatchAsync(_engine.Catalog, job.Id, _engine.Clock, Interval, NullLogger.Instance, async (watch, ct) =>
        {
            started.SetResult();
            // A long step: waits for its token (as a pg_dump or an upload does).
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, CancellationToken.None);
        await started.Task;
        await _engine.Catalog.Jobs.UpdateAsync(job.Id, j => j with { CancelRequested = true }, CancellationToken.None);
        Assert.False(step.IsCompleted);

        _engine.Clock.Advance(Interval);
        var e = await Assert.ThrowsAsync<JobCancelledException>(() => step.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains(job.Id, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancel_requested_before_the_step_began_stops_it_at_once()
    {
        var job = await _engine.CreateJobAsync("cfg-b", JobStatus.Running, TimeSpan.Zero);
        await _engine.Catalog.Jobs.UpdateAsync(job.Id, j => j with { CancelRequested = true }, CancellationToken.None);

        await Assert.ThrowsAsync<JobCancelledException>(() => JobProgressReporter.WatchAsync(_engine.Catalog, job.Id, _engine.Clock, Interval,
            NullLogger.Instance, async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return 0; }, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_finished_job_with_a_late_cancel_flag_does_not_stop_later_work_on_it()
    {
        // A copy retry runs under the original (completed) job: a flag that came too late must not stop it.
        var job = await _engine.CreateJobAsync("cfg-f", JobStatus.Completed, TimeSpan.Zero);
        await _engine.Catalog.Jobs.UpdateAsync(job.Id, j => j with { CancelRequested = true }, CancellationToken.None);

        var result = await JobProgressReporter.WatchAsync(_engine.Catalog, job.Id, _engine.Clock, Interval, NullLogger.Instance, async (_, ct) =>
        {
            _engine.Clock.Advance(Interval);
            await Task.Delay(300, ct);
            return 42;
        }, CancellationToken.None);

        Assert.Equal(42, result);
    }

    private async Task<BackupJob> GetAsync(string id) => (await _engine.Catalog.Jobs.GetAsync(id, CancellationToken.None))!;

    private async Task<BackupJob> WaitForAsync(string id, Func<BackupJob, bool> done)
    {
        for (var i = 0; i < 100; i++)
        {
            var job = await GetAsync(id);
            if (done(job))
                return job;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Job {id} did not get there: {await GetAsync(id)}");
    }
}
