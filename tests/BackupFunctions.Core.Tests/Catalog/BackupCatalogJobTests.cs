using System.Globalization;
using Azure;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Tests.Catalog;

public sealed class BackupCatalogJobTests : CatalogTestBase
{
    [Fact]
    public async Task Second_create_with_the_same_id_returns_false_and_changes_nothing()
    {
        var job = NewJob(JobIds.ForSchedule("cfg-a", At("2026-02-01T01:30:00Z")));
        var rival = job with { ConfigId = "cfg-b", Trigger = "manual", Status = JobStatus.Failed, Error = "should not be written" };

        Assert.True(await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None));
        Assert.False(await Catalog.Jobs.TryCreateAsync(rival, CancellationToken.None));

        Assert.Equal(job, await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None));
    }

    [Fact]
    public async Task All_fields_round_trip_and_status_is_stored_as_a_lowercase_word()
    {
        var job = NewJob("0001-job") with
        {
            Status = JobStatus.Running,
            ScheduledFor = At("2026-02-01T02:30:00+01:00"),
            StartedAt = At("2026-02-01T01:31:02.1234567Z"),
            CompletedAt = At("2026-02-01T01:45:00Z"),
            DurationSeconds = 12,
            Error = "pg_dump: connection refused",
            BackupId = "0001-job",
            Progress = new JobProgress
            {
                CurrentStep = "ArchiveVolume",
                CompletedSteps = 3,
                TotalSteps = 9,
                Percentage = 33.5,
                ProcessedFiles = 1234,
                TotalFiles = 5_000_000_000,
                ProcessedBytes = 7_000_000_000,
                TotalBytes = 9_876_543_210,
            },
        };

        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);
        var read = await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None);
        TableEntity raw = await JobsTable.GetEntityAsync<TableEntity>("job", job.Id);

        Assert.Equal(job, read);
        Assert.Equal("running", raw.GetString("Status"));
        Assert.Equal("cfg-a", raw.GetString("ConfigId"));
        Assert.Equal("ArchiveVolume", raw.GetString("CurrentStep"));
        Assert.Equal(7_000_000_000L, raw.GetInt64("ProcessedBytes"));
        Assert.Equal(At("2026-02-01T01:30:00Z"), raw.GetDateTimeOffset("ScheduledFor"));
    }

    [Fact]
    public async Task Unset_optional_fields_round_trip_as_null_and_are_not_written()
    {
        var job = NewJob("0002-job");

        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);
        var read = await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None);
        TableEntity raw = await JobsTable.GetEntityAsync<TableEntity>("job", job.Id);

        Assert.Equal(job, read);
        Assert.Null(read!.StartedAt);
        Assert.Null(read.CompletedAt);
        Assert.Null(read.ScheduledFor);
        Assert.Null(read.DurationSeconds);
        Assert.Null(read.Error);
        Assert.Equal("pending", raw.GetString("Status"));
        Assert.False(raw.ContainsKey("StartedAt"));
        Assert.False(raw.ContainsKey("Error"));
    }

    [Fact]
    public async Task Each_status_is_written_as_its_word_and_read_back()
    {
        foreach (var (status, word) in new[] { (JobStatus.Pending, "pending"), (JobStatus.Running, "running"), (JobStatus.Completed, "completed"), (JobStatus.Failed, "failed") })
        {
            var job = NewJob("job-" + word) with { Status = status };
            await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);

            TableEntity raw = await JobsTable.GetEntityAsync<TableEntity>("job", job.Id);
            Assert.Equal(word, raw.GetString("Status"));
            Assert.Equal(status, (await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!.Status);
        }
    }

    [Fact]
    public async Task Get_of_a_missing_job_is_null()
        => Assert.Null(await Catalog.Jobs.GetAsync("0000000000000000000-cfg-none", CancellationToken.None));

    [Fact]
    public async Task Update_changes_the_row_and_returns_what_was_written()
    {
        var job = NewJob("0003-job");
        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);

        var updated = await Catalog.Jobs.UpdateAsync(job.Id, j => j with
        {
            Status = JobStatus.Completed,
            CompletedAt = At("2026-02-01T02:00:00Z"),
            Progress = j.Progress with { CurrentStep = "Notify", Percentage = 100 },
        }, CancellationToken.None);

        Assert.Equal(JobStatus.Completed, updated.Status);
        Assert.Equal(updated, await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None));
        Assert.Equal(100, updated.Progress.Percentage);
    }

    [Fact]
    public async Task Parallel_updates_are_all_applied()
    {
        var job = NewJob("0004-job");
        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);
        var calls = 0;

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Catalog.Jobs.UpdateAsync(job.Id, j =>
        {
            Interlocked.Increment(ref calls);
            return j with { Progress = j.Progress with { ProcessedFiles = j.Progress.ProcessedFiles + 1 } };
        }, CancellationToken.None))));

        Assert.Equal(20, (await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!.Progress.ProcessedFiles);
        Assert.True(calls >= 20);
    }

    [Fact]
    public async Task An_update_that_loses_the_etag_race_re_reads_and_re_applies_on_the_fresh_row()
    {
        var job = NewJob("0005-job");
        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);
        var calls = 0;

        var result = await Catalog.Jobs.UpdateAsync(job.Id, j =>
        {
            if (++calls == 1)
            {
                // Another writer changes the row between our read and our write.
                var other = JobsTable.GetEntity<TableEntity>("job", job.Id).Value;
                other["Error"] = "written by someone else";
                JobsTable.UpdateEntity(other, other.ETag, TableUpdateMode.Replace);
            }
            return j with { Status = JobStatus.Running };
        }, CancellationToken.None);

        Assert.Equal(2, calls);
        Assert.Equal("written by someone else", result.Error);
        var stored = await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(JobStatus.Running, stored!.Status);
        Assert.Equal("written by someone else", stored.Error);
    }

    [Fact]
    public async Task Update_of_a_missing_job_throws_KeyNotFoundException()
        => await Assert.ThrowsAsync<KeyNotFoundException>(() => Catalog.Jobs.UpdateAsync("0000-nothing", j => j, CancellationToken.None));

    [Fact]
    public async Task Update_may_not_change_the_id()
    {
        var job = NewJob("0006-job");
        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Catalog.Jobs.UpdateAsync(job.Id, j => j with { Id = "other" }, CancellationToken.None));
        Assert.Null(await Catalog.Jobs.GetAsync("other", CancellationToken.None));
    }

    [Fact]
    public async Task Jobs_list_newest_first_in_pages()
    {
        var start = At("2026-02-01T00:00:00Z");
        var idsOldestFirst = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var at = start.AddHours(i);
            var id = i % 2 == 0 ? JobIds.ForSchedule("cfg-a", at) : JobIds.ForManual("cfg-b", at, $"r{i}");
            idsOldestFirst.Add(id);
            await Catalog.Jobs.TryCreateAsync(NewJob(id) with { CreatedAt = at }, CancellationToken.None);
        }

        var page1 = await Catalog.Jobs.ListAsync(2, null, CancellationToken.None);
        var page2 = await Catalog.Jobs.ListAsync(2, page1.ContinuationToken, CancellationToken.None);
        var page3 = await Catalog.Jobs.ListAsync(2, page2.ContinuationToken, CancellationToken.None);

        Assert.Null(page3.ContinuationToken);
        Assert.Equal(Enumerable.Reverse(idsOldestFirst), page1.Items.Concat(page2.Items).Concat(page3.Items).Select(j => j.Id));
    }

    [Fact]
    public async Task Corrupt_status_gives_InvalidDataException_naming_table_and_row()
    {
        var job = NewJob("0007-job");
        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);
        TableEntity raw = await JobsTable.GetEntityAsync<TableEntity>("job", job.Id);
        raw["Status"] = "exploded";
        await JobsTable.UpdateEntityAsync(raw, ETag.All, TableUpdateMode.Replace);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => Catalog.Jobs.GetAsync(job.Id, CancellationToken.None));

        Assert.Contains(Prefix + "BackupJobs", e.Message, StringComparison.Ordinal);
        Assert.Contains("0007-job", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_very_long_error_is_cut_to_fit_a_column()
    {
        var job = NewJob("0008-job") with { Error = new string('x', 100_000) };

        await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None);
        var read = await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None);

        Assert.True(read!.Error!.Length <= 32_000);
        Assert.StartsWith("xxxxxxxx", read.Error, StringComparison.Ordinal);
        Assert.EndsWith("(truncated)", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_jobs_type_base_and_comparison_round_trip_and_old_rows_have_none()
    {
        var job = NewJob("0003-job") with
        {
            Type = "incremental",
            BaseBackupId = "0002-job",
            Comparison = new IncrementalCounts(1, 2, 300, 0),
        };
        var old = NewJob("0004-job");

        Assert.True(await Catalog.Jobs.TryCreateAsync(job, CancellationToken.None));
        Assert.True(await Catalog.Jobs.TryCreateAsync(old, CancellationToken.None));

        Assert.Equal(job, await Catalog.Jobs.GetAsync(job.Id, CancellationToken.None));
        TableEntity raw = await JobsTable.GetEntityAsync<TableEntity>("job", job.Id);
        Assert.Equal("incremental", raw.GetString("Type"));
        Assert.Equal("0002-job", raw.GetString("BaseBackupId"));
        var read = (await Catalog.Jobs.GetAsync(old.Id, CancellationToken.None))!;
        Assert.Null(read.Type);
        Assert.Null(read.BaseBackupId);
        Assert.Null(read.Comparison);
    }

    private static BackupJob NewJob(string id) => new()
    {
        Id = id,
        ConfigId = "cfg-a",
        Trigger = "schedule",
        CreatedAt = At("2026-02-01T01:30:05Z"),
    };

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);
}
