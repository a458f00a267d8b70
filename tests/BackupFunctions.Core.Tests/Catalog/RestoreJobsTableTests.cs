using System.Globalization;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;

namespace BackupFunctions.Core.Tests.Catalog;

public sealed class RestoreJobsTableTests : CatalogTestBase
{
    [Fact]
    public async Task Every_field_round_trips_and_scalars_are_columns()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a") with
        {
            Status = RestoreJobStatus.RolledBack,
            Options = new RestoreOptions
            {
                Type = RestoreType.Selective,
                RestoreDatabase = false,
                RestoreFiles = true,
                RestoreConfig = false,
                SelectiveItems = ["uploads/2024/**", "table:public.posts"],
                TargetPath = "/srv/other",
                TargetDatabase = "cms_copy",
                OverwriteExisting = false,
                CreatePreRestoreBackup = false,
                SkipVerification = true,
                DryRun = true,
            },
            PreRestoreBackupId = "0001-cfg-a-pre",
            Progress = new JobProgress
            {
                CurrentStep = "SwapFiles",
                CompletedSteps = 4,
                TotalSteps = 7,
                Percentage = 57.5,
                ProcessedFiles = 12,
                TotalFiles = 5_000_000_000,
                ProcessedBytes = 7_000_000_000,
                TotalBytes = 9_000_000_000,
                DatabaseBytes = 1234,
                Speed = 1.5e6,
                Eta = 42,
            },
            Result = new RestoreJobResult
            {
                FilesCreated = 1,
                FilesOverwritten = 2,
                FilesDeleted = 3,
                FilesSkipped = 4,
                Bytes = 5_000_000_000,
                Tables = [new TableRowCount("public.posts", 10), new TableRowCount("public.users", 0)],
                DurationSeconds = 12.25,
            },
            Error = "pg_restore: lock timeout",
            StartedAt = At("2026-02-01T07:00:01.1234567Z"),
            CompletedAt = At("2026-02-01T07:03:00Z"),
            CancelRequested = true,
            LastUpdatedAt = At("2026-02-01T07:03:00Z"),
        };

        Assert.True(await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None));
        var read = await Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None);
        TableEntity raw = await RestoreJobRows.GetEntityAsync<TableEntity>("restore", job.Id);

        Assert.NotNull(read);
        // Records compare lists by reference, so the lists are compared apart.
        Assert.Equal(job.Options.SelectiveItems, read.Options.SelectiveItems);
        Assert.Equal(job.Result!.Tables, read.Result!.Tables);
        Assert.Equal(job.Options, read.Options with { SelectiveItems = job.Options.SelectiveItems });
        Assert.Equal(job.Result, read.Result with { Tables = job.Result.Tables });
        Assert.Equal(job, read with { Options = job.Options, Result = job.Result });
        Assert.Equal("rolled_back", raw.GetString("Status"));
        Assert.Equal("cfg-a", raw.GetString("ConfigId"));
        Assert.Equal("0001-cfg-a-pre", raw.GetString("PreRestoreBackupId"));
        Assert.Equal("SwapFiles", raw.GetString("CurrentStep"));
        Assert.Contains("\"type\":\"selective\"", raw.GetString("Options"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defaults_round_trip_and_unset_columns_are_not_written()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a");

        await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None);
        var read = await Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None);
        TableEntity raw = await RestoreJobRows.GetEntityAsync<TableEntity>("restore", job.Id);

        Assert.Equal(job, read! with { Options = job.Options });
        Assert.Equal(new RestoreOptions(), read.Options with { SelectiveItems = new RestoreOptions().SelectiveItems });
        Assert.Empty(read.Options.SelectiveItems);
        Assert.Equal(RestoreJobStatus.Pending, read.Status);
        Assert.Null(read.Result);
        Assert.False(raw.ContainsKey("Result"));
        Assert.False(raw.ContainsKey("Error"));
        Assert.False(raw.ContainsKey("StartedAt"));
    }

    [Fact]
    public async Task A_second_create_with_the_same_id_returns_false_and_changes_nothing()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a");

        Assert.True(await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None));
        Assert.False(await Catalog.RestoreJobs.TryCreateAsync(job with { BackupId = "other", Error = "not written" }, CancellationToken.None));

        var read = await Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(job.BackupId, read!.BackupId);
        Assert.Null(read.Error);
    }

    [Fact]
    public async Task Lists_newest_first_in_pages_with_the_continuation_token()
    {
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var id = RestoreJobsTable.NewId(At("2026-02-01T00:00:00Z").AddMinutes(i));
            ids.Add(id);
            await Catalog.RestoreJobs.TryCreateAsync(NewJob(id, "cfg-a"), CancellationToken.None);
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Catalog.RestoreJobs.ListAsync(3, token, null, null, CancellationToken.None);
            Assert.True(page.Items.Count <= 3);
            seen.AddRange(page.Items.Select(j => j.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null);

        ids.Reverse();
        Assert.Equal(ids, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task Filters_by_config_and_status_newest_first()
    {
        var start = At("2026-02-01T00:00:00Z");
        var a1 = NewJob(RestoreJobsTable.NewId(start), "cfg-a") with { Status = RestoreJobStatus.Completed };
        var b1 = NewJob(RestoreJobsTable.NewId(start.AddMinutes(1)), "cfg-b") with { Status = RestoreJobStatus.Completed };
        var a2 = NewJob(RestoreJobsTable.NewId(start.AddMinutes(2)), "cfg-a") with { Status = RestoreJobStatus.RolledBack };
        var a3 = NewJob(RestoreJobsTable.NewId(start.AddMinutes(3)), "cfg-a") with { Status = RestoreJobStatus.Completed };
        foreach (var job in new[] { a1, b1, a2, a3 })
            await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None);

        Assert.Equal([a3.Id, a2.Id, a1.Id], await AllIds("cfg-a", null));
        Assert.Equal([a3.Id, a1.Id], await AllIds("cfg-a", RestoreJobStatus.Completed));
        Assert.Equal([a3.Id, b1.Id, a1.Id], await AllIds(null, RestoreJobStatus.Completed));
        Assert.Equal([a2.Id], await AllIds(null, RestoreJobStatus.RolledBack));
        Assert.Empty(await AllIds("cfg-b", RestoreJobStatus.RolledBack));
        Assert.Empty(await AllIds("cfg-'); or true", null));
    }

    [Fact]
    public async Task A_made_up_continuation_token_is_refused()
        => await Assert.ThrowsAsync<ArgumentException>(() => Catalog.RestoreJobs.ListAsync(10, "bm90IGEgdG9rZW4", null, null, CancellationToken.None));

    [Fact]
    public async Task Concurrent_updates_are_all_applied_through_the_etag_loop()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a");
        await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None);
        var calls = 0;

        var updates = Enumerable.Range(0, 12).Select(i => Task.Run(() => Catalog.RestoreJobs.UpdateAsync(job.Id, j =>
        {
            Interlocked.Increment(ref calls);
            // Half count files, half count bytes: both kinds of change must survive every race.
            return i % 2 == 0
                ? j with { Progress = j.Progress with { ProcessedFiles = j.Progress.ProcessedFiles + 1 } }
                : j with { Progress = j.Progress with { ProcessedBytes = j.Progress.ProcessedBytes + 10 } };
        }, CancellationToken.None)));
        await Task.WhenAll(updates);

        var stored = await Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(6, stored!.Progress.ProcessedFiles);
        Assert.Equal(60, stored.Progress.ProcessedBytes);
        Assert.True(calls >= 12);
        Assert.Equal(Time.GetUtcNow(), stored.LastUpdatedAt);
    }

    [Fact]
    public async Task An_update_that_loses_a_race_re_applies_on_the_row_the_rival_wrote()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a");
        await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None);
        var calls = 0;

        var result = await Catalog.RestoreJobs.UpdateAsync(job.Id, j =>
        {
            if (++calls == 1)
            {
                var rival = RestoreJobRows.GetEntity<TableEntity>("restore", job.Id).Value;
                rival["CancelRequested"] = true;
                RestoreJobRows.UpdateEntity(rival, rival.ETag, TableUpdateMode.Replace);
            }
            return j with { Status = RestoreJobStatus.Running };
        }, CancellationToken.None);

        Assert.Equal(2, calls);
        Assert.True(result.CancelRequested);
        var stored = await Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None);
        Assert.Equal(RestoreJobStatus.Running, stored!.Status);
        Assert.True(stored.CancelRequested);
    }

    [Fact]
    public async Task A_missing_row_reads_null_updates_throw_and_deletes_return_false()
    {
        var id = RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z"));

        Assert.Null(await Catalog.RestoreJobs.GetAsync(id, CancellationToken.None));
        Assert.Null(await Catalog.RestoreJobs.GetAsync("bad/key", CancellationToken.None));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => Catalog.RestoreJobs.UpdateAsync(id, j => j, CancellationToken.None));
        Assert.False(await Catalog.RestoreJobs.DeleteAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task Delete_removes_the_row()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a");
        await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None);

        Assert.True(await Catalog.RestoreJobs.DeleteAsync(job.Id, CancellationToken.None));
        Assert.Null(await Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None));
    }

    [Fact]
    public async Task An_update_may_not_change_the_id()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a");
        await Catalog.RestoreJobs.TryCreateAsync(job, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Catalog.RestoreJobs.UpdateAsync(job.Id, j => j with { Id = "rst-other" }, CancellationToken.None));
    }

    [Fact]
    public async Task Oversized_options_are_refused_and_a_long_error_is_cut()
    {
        var job = NewJob(RestoreJobsTable.NewId(At("2026-02-01T07:00:00Z")), "cfg-a");
        var huge = job with { Options = new RestoreOptions { SelectiveItems = [new string('x', 40_000)] } };

        await Assert.ThrowsAsync<ArgumentException>(() => Catalog.RestoreJobs.TryCreateAsync(huge, CancellationToken.None));
        await Catalog.RestoreJobs.TryCreateAsync(job with { Error = new string('e', 100_000) }, CancellationToken.None);
        var read = await Catalog.RestoreJobs.GetAsync(job.Id, CancellationToken.None);
        Assert.EndsWith("(truncated)", read!.Error, StringComparison.Ordinal);
        Assert.True(read.Error!.Length <= 32_000);
    }

    private async Task<List<string>> AllIds(string? configId, RestoreJobStatus? status)
    {
        var ids = new List<string>();
        string? token = null;
        do
        {
            var page = await Catalog.RestoreJobs.ListAsync(2, token, configId, status, CancellationToken.None);
            ids.AddRange(page.Items.Select(j => j.Id));
            token = page.ContinuationToken;
        }
        while (token is not null);
        return ids;
    }

    private static RestoreJob NewJob(string id, string configId) => new()
    {
        Id = id,
        ConfigId = configId,
        BackupId = "0001-" + configId,
        CreatedAt = At("2026-02-01T07:00:00Z"),
    };

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);
}
