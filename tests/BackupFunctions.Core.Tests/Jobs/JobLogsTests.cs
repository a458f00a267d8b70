using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Tests.Jobs;

public sealed class JobLogsTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task Entries_page_in_time_order_per_job_with_level_message_and_context()
    {
        var logs = _engine.Get<JobLogs>();
        var start = _engine.Clock.GetUtcNow();
        for (var i = 0; i < 7; i++)
        {
            await logs.WriteAsync("job-a", i == 3 ? JobLogLevel.Warning : JobLogLevel.Info, $"step {i}", new { step = i, bytes = 1000L * i }, CancellationToken.None);
            await logs.WriteAsync("job-b", JobLogLevel.Error, $"other {i}", null, CancellationToken.None);
            // Several entries in the same tick keep their order too (the sequence breaks the tie).
            if (i % 2 == 0)
                _engine.Clock.Advance(TimeSpan.FromMilliseconds(1));
        }

        var entries = new List<JobLogEntry>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await logs.ListAsync("job-a", 3, token, CancellationToken.None);
            entries.AddRange(page.Items);
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        Assert.True(pages >= 3);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"step {i}"), entries.Select(e => e.Message));
        Assert.Equal(JobLogLevel.Warning, entries[3].Level);
        Assert.Equal(JobLogLevel.Info, entries[4].Level);
        Assert.Equal(5000, entries[5].Context!["bytes"]!.GetValue<long>());
        Assert.True(entries.Zip(entries.Skip(1)).All(p => p.First.Time <= p.Second.Time));
        Assert.Equal(start, entries[0].Time);
        Assert.Equal(start.AddMilliseconds(3), entries[^1].Time);
    }

    [Fact]
    public async Task A_job_without_entries_has_an_empty_log_even_before_the_table_exists()
        => Assert.Empty((await _engine.Get<JobLogs>().ListAsync("nobody", 10, null, CancellationToken.None)).Items);

    [Fact]
    public async Task A_made_up_continuation_token_is_refused()
    {
        await _engine.Get<JobLogs>().WriteAsync("job-t", JobLogLevel.Info, "x", null, CancellationToken.None);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => _engine.Get<JobLogs>().ListAsync("job-t", 10, "not-a-token", CancellationToken.None));
        Assert.Equal("continuationToken", e.ParamName);
    }

    [Fact]
    public async Task Delete_removes_one_jobs_log_only()
    {
        var logs = _engine.Get<JobLogs>();
        await logs.WriteAsync("job-x", JobLogLevel.Info, "x1", null, CancellationToken.None);
        await logs.WriteAsync("job-x", JobLogLevel.Info, "x2", null, CancellationToken.None);
        await logs.WriteAsync("job-y", JobLogLevel.Info, "y1", null, CancellationToken.None);

        await logs.DeleteAsync("job-x", CancellationToken.None);

        Assert.Empty((await logs.ListAsync("job-x", 10, null, CancellationToken.None)).Items);
        Assert.Single((await logs.ListAsync("job-y", 10, null, CancellationToken.None)).Items);
    }
}
