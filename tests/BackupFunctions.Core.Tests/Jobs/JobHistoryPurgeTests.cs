using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>Finished jobs past Jobs:KeepHistoryDays go with their logs; younger ones and unfinished ones stay.</summary>
public sealed class JobHistoryPurgeTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Theory]
    [InlineData(JobStatus.Completed, 91, true)]
    [InlineData(JobStatus.CompletedWithWarnings, 91, true)]
    [InlineData(JobStatus.Failed, 91, true)]
    [InlineData(JobStatus.Cancelled, 91, true)]
    [InlineData(JobStatus.Skipped, 91, true)]
    [InlineData(JobStatus.Completed, 89, false)]
    [InlineData(JobStatus.Running, 91, false)]
    [InlineData(JobStatus.Pending, 400, false)]
    public async Task A_job_goes_when_it_is_finished_and_older_than_the_keep_period(JobStatus status, int ageDays, bool removed)
    {
        var config = await _engine.CreateConfigAsync("purge");
        var job = await _engine.CreateJobAsync(config.Id, status, TimeSpan.FromDays(ageDays));
        var logs = _engine.Get<JobLogs>();
        await logs.WriteAsync(job.Id, JobLogLevel.Info, "Backup started", null, CancellationToken.None);
        var bystander = await _engine.CreateJobAsync(config.Id, JobStatus.Completed, TimeSpan.FromDays(1));
        await logs.WriteAsync(bystander.Id, JobLogLevel.Info, "Backup started", null, CancellationToken.None);

        var count = await _engine.Get<JobHistoryPurge>().PurgeAsync(CancellationToken.None);

        Assert.Equal(removed ? 1 : 0, count);
        Assert.Equal(removed, await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None) is null);
        Assert.Equal(removed, (await logs.ListAsync(job.Id, 10, null, CancellationToken.None)).Items.Count == 0);
        Assert.NotNull(await _engine.Catalog.Jobs.GetAsync(bystander.Id, CancellationToken.None));
        Assert.Single((await logs.ListAsync(bystander.Id, 10, null, CancellationToken.None)).Items);
    }

    [Theory]
    [InlineData(RestoreJobStatus.Completed, 91, true)]
    [InlineData(RestoreJobStatus.RolledBack, 91, true)]
    [InlineData(RestoreJobStatus.Failed, 91, true)]
    [InlineData(RestoreJobStatus.Cancelled, 91, true)]
    [InlineData(RestoreJobStatus.Completed, 89, false)]
    [InlineData(RestoreJobStatus.Running, 400, false)]
    public async Task A_restore_job_goes_by_the_same_rule(RestoreJobStatus status, int ageDays, bool removed)
    {
        var logs = _engine.Get<JobLogs>();
        async Task<RestoreJob> CreateAsync(RestoreJobStatus s, int days)
        {
            var created = _engine.Clock.GetUtcNow() - TimeSpan.FromDays(days);
            var job = new RestoreJob { Id = RestoreJobsTable.NewId(created), ConfigId = "cfg-1", BackupId = "b-1", Status = s, CreatedAt = created };
            Assert.True(await _engine.Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None));
            await logs.WriteAsync(job.Id, JobLogLevel.Info, "Restore started", null, CancellationToken.None);
            return job;
        }
        var job = await CreateAsync(status, ageDays);
        var bystander = await CreateAsync(RestoreJobStatus.Completed, 1);

        var count = await _engine.Get<JobHistoryPurge>().PurgeAsync(CancellationToken.None);

        Assert.Equal(removed ? 1 : 0, count);
        Assert.Equal(removed, await _engine.Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None) is null);
        Assert.Equal(removed, (await logs.ListAsync(job.Id, 10, null, CancellationToken.None)).Items.Count == 0);
        Assert.NotNull(await _engine.Catalog.RestoreJobs.GetAsync(bystander.Id, CancellationToken.None));
        Assert.Single((await logs.ListAsync(bystander.Id, 10, null, CancellationToken.None)).Items);
    }
}
