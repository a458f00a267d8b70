using Azure;
using Azure.Data.Tables;
using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Tests.Catalog;

public sealed class ETagRetryTests : CatalogTestBase
{
    /// <summary>
    /// Each row: the status each attempt fails with (0: it succeeds), the attempts allowed, and then what happens:
    /// how many attempts ran, and the status that escaped (0: the call returned the successful attempt's number).
    /// </summary>
    public static TheoryData<int[], int, int, int> Cases => new()
    {
        { [0], 3, 1, 0 },                        // first attempt wins, no backoff
        { [412, 0], 3, 2, 0 },                   // lost an If-Match race, re-read and won
        { [409, 412, 0], 3, 3, 0 },              // insert lost, then replace lost, won on the last attempt
        { [404, 0], 3, 2, 0 },                   // row deleted under us: the next read decides
        { [412, 412, 412], 3, 3, 412 },          // gave up: the last lost race escapes
        { [412, 412, 412, 0], 3, 3, 412 },       // a win after the bound is never tried
        { [500, 0], 3, 1, 500 },                 // a service fault is not a race: no retry
        { [403], 3, 1, 403 },
        { [412, 503, 0], 5, 2, 503 },            // a fault after a race still escapes at once
        { [412], 1, 1, 412 },                    // one attempt allowed: nothing is retried
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Retries_lost_races_with_backoff_and_gives_up_after_the_bound(int[] outcomes, int maxAttempts, int expectedAttempts, int escapingStatus)
    {
        var backoffs = new List<int>();
        var retry = new ETagRetry(maxAttempts, (attempt, _) =>
        {
            backoffs.Add(attempt);
            return Task.CompletedTask;
        });
        var attempts = 0;

        Task<int> Run() => retry.RunAsync((number, _) =>
        {
            attempts++;
            Assert.Equal(attempts, number);
            return outcomes[number - 1] == 0
                ? Task.FromResult(number)
                : Task.FromException<int>(new RequestFailedException(outcomes[number - 1], "status " + outcomes[number - 1]));
        }, CancellationToken.None);

        if (escapingStatus == 0)
        {
            Assert.Equal(expectedAttempts, await Run());
        }
        else
        {
            var e = await Assert.ThrowsAsync<RequestFailedException>(Run);
            Assert.Equal(escapingStatus, e.Status);
        }
        Assert.Equal(expectedAttempts, attempts);
        // A backoff after every lost attempt that is followed by another, numbered like the attempt it follows.
        Assert.Equal(Enumerable.Range(1, expectedAttempts - 1), backoffs);
    }

    [Fact]
    public async Task Cancellation_during_the_backoff_stops_the_loop()
    {
        using var cancel = new CancellationTokenSource();
        var retry = new ETagRetry(5, (_, ct) =>
        {
            cancel.Cancel();
            return Task.Delay(Timeout.Infinite, ct);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => retry.RunAsync<int>(
            (_, _) => throw new RequestFailedException(412, "lost"), cancel.Token));
    }

    [Fact]
    public async Task The_default_backoff_is_jittered_and_bounded()
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; attempt <= 30; attempt++)
            await ETagRetry.JitteredBackoffAsync(1, CancellationToken.None);
        // 30 waits of 1 to 19 ms each (timer resolution may stretch each a little, never to a second).
        Assert.InRange(started.ElapsedMilliseconds, 30, 30 * 100);
        Assert.Equal(25, ETagRetry.Default.MaxAttempts);
    }

    [Fact]
    public async Task Read_modify_write_re_decides_on_the_row_a_rival_replaced()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 1 });
        var seen = new List<int?>();

        var result = await Fast(5).ReadModifyWriteAsync(table, "p", "r", row =>
        {
            seen.Add(row!.GetInt32("N"));
            if (seen.Count == 1)
                table.UpdateEntity(new TableEntity("p", "r") { ["N"] = 10 }, row.ETag, TableUpdateMode.Replace);
            return RowChange<int>.Write(new TableEntity("p", "r") { ["N"] = row.GetInt32("N")!.Value + 1 }, seen.Count);
        }, CancellationToken.None);

        Assert.Equal([1, 10], seen);
        Assert.Equal(2, result);
        Assert.Equal(11, (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task Read_modify_write_inserts_a_missing_row_and_re_decides_when_a_rival_inserted_first()
    {
        var table = await NewTableAsync();
        var seen = new List<int?>();

        await Fast(5).ReadModifyWriteAsync(table, "p", "r", row =>
        {
            seen.Add(row?.GetInt32("N"));
            if (row is null)
                table.AddEntity(new TableEntity("p", "r") { ["N"] = 5 });
            return RowChange<bool>.Write(new TableEntity("p", "r") { ["N"] = (row?.GetInt32("N") ?? 0) + 1 }, true);
        }, CancellationToken.None);

        Assert.Equal([null, 5], seen);
        Assert.Equal(6, (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task Read_modify_write_sees_a_row_deleted_under_it_as_missing()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 1 });
        var seen = new List<bool>();

        var result = await Fast(5).ReadModifyWriteAsync(table, "p", "r", row =>
        {
            seen.Add(row is not null);
            if (row is null)
                return RowChange<string>.Keep("gone");
            table.DeleteEntity("p", "r");
            return RowChange<string>.Write(new TableEntity("p", "r") { ["N"] = 2 }, "written");
        }, CancellationToken.None);

        Assert.Equal([true, false], seen);
        Assert.Equal("gone", result);
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "r")).HasValue);
    }

    [Fact]
    public async Task Read_modify_write_gives_up_with_the_412_when_a_rival_wins_every_time()
    {
        var table = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "r") { ["N"] = 0 });
        var decisions = 0;

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => Fast(4).ReadModifyWriteAsync(table, "p", "r", row =>
        {
            decisions++;
            table.UpdateEntity(new TableEntity("p", "r") { ["N"] = decisions }, ETag.All, TableUpdateMode.Replace);
            return RowChange<int>.Write(new TableEntity("p", "r") { ["N"] = -1 }, 0);
        }, CancellationToken.None));

        Assert.Equal(412, e.Status);
        Assert.Equal(4, decisions);
        Assert.Equal(4, (await table.GetEntityAsync<TableEntity>("p", "r")).Value.GetInt32("N"));
    }

    [Fact]
    public async Task Keep_writes_nothing()
    {
        var table = await NewTableAsync();

        Assert.Equal(7, await Fast(3).ReadModifyWriteAsync(table, "p", "r", _ => RowChange<int>.Keep(7), CancellationToken.None));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("p", "r")).HasValue);
    }

    private static ETagRetry Fast(int maxAttempts) => new(maxAttempts, (_, _) => Task.CompletedTask);

    private async Task<TableClient> NewTableAsync()
    {
        var table = Service.GetTableClient(Prefix + "Retry");
        await table.CreateIfNotExistsAsync();
        ExtraTables.Add(table);
        return table;
    }
}
