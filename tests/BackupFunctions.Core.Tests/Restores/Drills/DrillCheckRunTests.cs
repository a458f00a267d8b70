using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores.Drills;
using BackupFunctions.Core.Tests.Sources;

namespace BackupFunctions.Core.Tests.Restores.Drills;

/// <summary>
/// Drill checks against real PostgreSQL: answers digest the same on equal data whatever its physical order, differ on
/// different values, and a query that writes, escapes its statement or runs too long fails without changing anything.
/// </summary>
public sealed class DrillCheckRunTests
{
    private readonly byte[] _dataKey = DataKeys.Generate();

    private static RestoreDrillCheck Check(string name, string sql) => new() { Name = name, Sql = sql };

    [Fact]
    public async Task Equal_data_in_another_physical_order_answers_the_same_and_a_changed_value_does_not()
    {
        await using var first = await ScratchDatabase.CreateAsync("drillchk");
        await using var second = await ScratchDatabase.CreateAsync("drillchk");
        await first.ExecuteAsync("CREATE TABLE posts (id int, title text, note text); INSERT INTO posts SELECT i, 'Post ' || i, CASE WHEN i % 2 = 0 THEN NULL ELSE '' END FROM generate_series(1, 50) i;");
        await second.ExecuteAsync("CREATE TABLE posts (id int, title text, note text); INSERT INTO posts SELECT i, 'Post ' || i, CASE WHEN i % 2 = 0 THEN NULL ELSE '' END FROM generate_series(50, 1, -1) i;");
        RestoreDrillCheck[] checks = [Check("all", "SELECT * FROM posts;"), Check("count", "SELECT count(*) FROM posts WHERE note IS NULL -- trailing comment")];
        var run = new DrillCheckRun(checks, _dataKey, "b1");

        var a = await run.RunAsync(first.Connection, default);
        var b = await run.RunAsync(second.Connection, default);
        Assert.Equivalent(a, b, strict: true);
        Assert.Equal([50L, 1L], a.Select(r => r.Rows));
        Assert.All(a, r => Assert.Null(r.Error));

        // NULL and empty text are different answers with the same row count.
        await second.ExecuteAsync("UPDATE posts SET note = '' WHERE id = 2");
        var changed = await run.RunAsync(second.Connection, default);
        Assert.Equal(a[0].Rows, changed[0].Rows);
        Assert.NotEqual(a[0].Digest, changed[0].Digest);
        var outcomes = DrillCheckComparison.Compare(checks, a, changed);
        Assert.Equal([DrillCheckOutcome.Failed, DrillCheckOutcome.Failed], outcomes.Select(o => o.Result));
        Assert.Contains("different values", outcomes[0].Detail, StringComparison.Ordinal);
        // count(*) answers one row either way: the value (25, then 24) is what differs.
        Assert.Contains("different values", outcomes[1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Writes_statement_escapes_and_slow_queries_fail_with_their_SQLSTATE_and_change_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync("drillro");
        await db.ExecuteAsync("CREATE TABLE posts (id int); INSERT INTO posts SELECT generate_series(1, 10);");
        RestoreDrillCheck[] checks =
        [
            Check("delete-cte", "WITH gone AS (DELETE FROM posts RETURNING id) SELECT count(*) FROM gone"),
            Check("function-write", "SELECT * FROM posts, LATERAL (SELECT pg_catalog.set_config('transaction_read_only', 'off', true)) x"),
            Check("escape", "SELECT 1) AS q; COMMIT; DELETE FROM posts; SELECT * FROM (SELECT 1"),
            Check("escape-2", "SELECT 1; DELETE FROM posts"),
            Check("sequence", "SELECT nextval('s')"),
            Check("slow", "SELECT pg_sleep(10)"),
            Check("fine", "SELECT count(*) FROM posts"),
        ];
        await db.ExecuteAsync("CREATE SEQUENCE s");

        var results = await new DrillCheckRun(checks, _dataKey, "b1") { Timeout = TimeSpan.FromSeconds(1) }.RunAsync(db.Connection, default);

        Assert.All(results.Take(checks.Length - 1), r => Assert.True(r.Error is not null && r.Digest is null, $"{r.Name} should have failed"));
        Assert.Equal("57014", results.Single(r => r.Name == "slow").Error); // statement timeout
        Assert.Equal("25006", results.Single(r => r.Name == "sequence").Error); // read-only transaction
        Assert.Equal(10, await db.ScalarAsync<long>("SELECT count(*) FROM posts"));
        Assert.Equal(1, await db.ScalarAsync<long>("SELECT last_value FROM s"));
        // A failed check does not spoil the ones after it.
        Assert.Equal(1, results[^1].Rows);
        Assert.NotNull(results[^1].Digest);
    }
}
