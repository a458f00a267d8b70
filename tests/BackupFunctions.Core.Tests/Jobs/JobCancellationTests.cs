using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Tests.Jobs;

public sealed class JobCancellationTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task A_running_job_gets_the_flag_and_its_orchestration_the_event_and_is_left_to_stop_itself()
    {
        var config = await _engine.CreateConfigAsync("c1");
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromSeconds(3));
        var files = _engine.WritePartialBackup(config, job.Id);
        var instances = new FakeJobInstances();
        instances.States[job.Id] = JobInstanceState.Active;

        var result = await _engine.Get<JobCancellation>().RequestAsync(job.Id, instances, CancellationToken.None);

        Assert.Equal(JobCancelOutcome.Accepted, result.Outcome);
        var row = (await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!;
        Assert.True(row.CancelRequested);
        Assert.Equal(JobStatus.Running, row.Status);
        Assert.Equal([job.Id], instances.CancelsRaised);
        Assert.Equal(files.Order(StringComparer.Ordinal), _engine.FilesOf(config).Order(StringComparer.Ordinal));
        var log = await _engine.Get<JobLogs>().ListAsync(job.Id, 10, null, CancellationToken.None);
        Assert.Equal("Cancel requested", Assert.Single(log.Items).Message);
    }

    [Fact]
    public async Task A_job_whose_orchestration_is_gone_is_cancelled_here_with_the_same_cleanup()
    {
        var config = await _engine.CreateConfigAsync("c2");
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromSeconds(3));
        _engine.WritePartialBackup(config, job.Id);
        var instances = new FakeJobInstances();
        instances.States[job.Id] = JobInstanceState.Ended;

        var result = await _engine.Get<JobCancellation>().RequestAsync(job.Id, instances, CancellationToken.None);

        Assert.Equal(JobCancelOutcome.Accepted, result.Outcome);
        Assert.Equal(JobStatus.Cancelled, result.Job!.Status);
        Assert.NotNull(result.Job.CompletedAt);
        Assert.Empty(instances.CancelsRaised);
        Assert.Empty(_engine.FilesOf(config));
    }

    [Theory]
    [InlineData(JobStatus.Completed)]
    [InlineData(JobStatus.CompletedWithWarnings)]
    [InlineData(JobStatus.Failed)]
    [InlineData(JobStatus.Cancelled)]
    [InlineData(JobStatus.Skipped)]
    public async Task A_finished_job_is_not_touched(JobStatus status)
    {
        var config = await _engine.CreateConfigAsync("c3");
        var job = await _engine.CreateJobAsync(config.Id, status, TimeSpan.FromMinutes(3));
        var files = _engine.WritePartialBackup(config, job.Id);
        var instances = new FakeJobInstances();

        var result = await _engine.Get<JobCancellation>().RequestAsync(job.Id, instances, CancellationToken.None);

        Assert.Equal(JobCancelOutcome.AlreadyFinished, result.Outcome);
        Assert.Equal(job, await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None));
        Assert.Equal(files.Count, _engine.FilesOf(config).Count);
    }

    [Fact]
    public async Task An_unknown_job_is_not_found()
    {
        var result = await _engine.Get<JobCancellation>().RequestAsync("0000000000000000001-cfg-none", new FakeJobInstances(), CancellationToken.None);

        Assert.Equal(JobCancelOutcome.NotFound, result.Outcome);
    }

    [Fact]
    public async Task A_finished_job_keeps_its_status_when_the_cancel_loses_the_race_with_its_last_write()
    {
        var config = await _engine.CreateConfigAsync("c4");
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.FromSeconds(3));
        var instances = new FakeJobInstances();
        instances.States[job.Id] = JobInstanceState.Active;
        // The run completes between the API's read and its flag write: the ETag update re-reads and sees it finished.
        await _engine.Catalog.Jobs.UpdateAsync(job.Id, j => j with { Status = JobStatus.Completed }, CancellationToken.None);

        var result = await _engine.Get<JobCancellation>().RequestAsync(job.Id, instances, CancellationToken.None);

        Assert.Equal(JobCancelOutcome.AlreadyFinished, result.Outcome);
        Assert.False((await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!.CancelRequested);
        Assert.Empty(instances.CancelsRaised);
    }
}
