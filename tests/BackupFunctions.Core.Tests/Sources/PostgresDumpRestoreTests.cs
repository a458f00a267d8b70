using System.Net;
using System.Net.Sockets;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>pg_dump → stream → pg_restore against the real PostgreSQL test server.</summary>
public sealed class PostgresDumpRestoreTests
{
    private const string Schema = """"
        CREATE SCHEMA shop;
        CREATE TABLE shop.customers (id serial PRIMARY KEY, name text NOT NULL, city text);
        CREATE TABLE shop.orders (
            id bigserial PRIMARY KEY,
            customer_id int NOT NULL REFERENCES shop.customers(id),
            amount numeric(12,2) NOT NULL,
            placed_at timestamptz NOT NULL);
        CREATE TABLE shop.attachments (id int PRIMARY KEY, content bytea NOT NULL);
        CREATE SCHEMA "Mixed Schema";
        CREATE TABLE "Mixed Schema"."Täble ""quoted""" (id int, note text);
        CREATE SEQUENCE shop.invoice_numbers START 1000;
        SELECT setval('shop.invoice_numbers', 4242);
        CREATE INDEX orders_placed_at_idx ON shop.orders (placed_at);
        CREATE VIEW shop.big_orders AS SELECT o.id, c.name, o.amount FROM shop.orders o JOIN shop.customers c ON c.id = o.customer_id WHERE o.amount > 500;
        INSERT INTO shop.customers (name, city)
            SELECT 'Kunde ' || i || ' Grüße 日本語 🎉', CASE WHEN i % 7 = 0 THEN NULL ELSE 'Zürich' END FROM generate_series(1, 3000) i;
        INSERT INTO shop.orders (customer_id, amount, placed_at)
            SELECT 1 + (i % 3000), (i * 37 % 100000) / 100.0, timestamptz '2024-01-01 00:00:00+00' + i * interval '17 minutes'
            FROM generate_series(1, 12000) i;
        INSERT INTO shop.attachments (id, content)
            SELECT i, decode(md5(i::text) || '00ff00' || md5((i * 7)::text), 'hex') || sha256(i::text::bytea) FROM generate_series(1, 2000) i;
        INSERT INTO "Mixed Schema"."Täble ""quoted""" VALUES (1, 'ä'), (2, NULL), (3, 'x');
        """";

    private static readonly string[] Tables = ["shop.customers", "shop.orders", "shop.attachments", "\"Mixed Schema\".\"Täble \"\"quoted\"\"\""];

    private static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    [Fact]
    public async Task Dump_then_restore_reproduces_rows_sequences_index_view_and_foreign_key()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfsrc");
        await using var restored = ScratchDatabase.Reserve("bfdst");
        await source.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var dumpFile = temp.Combine("db.dump");

        BackupFunctions.Core.Format.DatabaseSourceInfo info;
        await using (var output = File.Create(dumpFile))
            info = await new PostgresDumper(Tools).DumpAsync(source.Connection, output, CancellationToken.None);

        Assert.Equal(source.Name, info.Database);
        Assert.StartsWith("15", info.ServerVersion, StringComparison.Ordinal);
        Assert.Equal(
            [("\"Mixed Schema\".\"Täble \"\"quoted\"\"\"", 3L), ("shop.attachments", 2000L), ("shop.customers", 3000L), ("shop.orders", 12000L)],
            info.Tables.Select(t => (t.Table, t.Rows)));
        Assert.Equal("PGDMP"u8.ToArray(), File.ReadAllBytes(dumpFile)[..5]);

        var restorer = new PostgresRestorer(Tools);
        Assert.False(await restorer.DatabaseExistsAsync(restored.Connection, CancellationToken.None));
        await using (var input = File.OpenRead(dumpFile))
            await restorer.RestoreAsync(restored.Connection, input, CancellationToken.None);
        Assert.True(await restorer.DatabaseExistsAsync(restored.Connection, CancellationToken.None));

        foreach (var table in Tables)
        {
            var fingerprint = $"SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t";
            Assert.Equal(await source.ScalarAsync<string>(fingerprint), await restored.ScalarAsync<string>(fingerprint));
        }

        Assert.Equal(4242L, await restored.ScalarAsync<long>("SELECT last_value FROM shop.invoice_numbers"));
        Assert.Equal(4243L, await restored.ScalarAsync<long>("SELECT nextval('shop.invoice_numbers')"));
        Assert.Equal(3001, await restored.ScalarAsync<int>("SELECT nextval('shop.customers_id_seq')::int"));
        Assert.Equal(
            await source.ScalarAsync<long>("SELECT count(*) FROM shop.big_orders"),
            await restored.ScalarAsync<long>("SELECT count(*) FROM shop.big_orders"));
        Assert.Equal(
            "CREATE INDEX orders_placed_at_idx ON shop.orders USING btree (placed_at)",
            await restored.ScalarAsync<string>("SELECT indexdef FROM pg_indexes WHERE schemaname = 'shop' AND indexname = 'orders_placed_at_idx'"));
        Assert.Equal(
            "FOREIGN KEY (customer_id) REFERENCES shop.customers(id)",
            await restored.ScalarAsync<string>("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = 'shop.orders'::regclass"));
        Assert.Equal("Kunde 1 Grüße 日本語 🎉", await restored.ScalarAsync<string>("SELECT name FROM shop.customers WHERE id = 1"));

        var restoredInfo = await new PostgresDumper(Tools).DescribeAsync(restored.Connection, CancellationToken.None);
        Assert.Equal(info.Tables, restoredInfo.Tables);
    }

    [Fact]
    public async Task Describe_counts_rows_of_every_user_table_exactly()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfdesc");
        await source.ExecuteAsync("""
            CREATE TABLE public.empty_table (id int);
            CREATE TABLE public."Odd ""Name""; DROP TABLE x" (id int);
            INSERT INTO public."Odd ""Name""; DROP TABLE x" SELECT generate_series(1, 1234);
            CREATE TEMP TABLE not_mine (id int);
            """);

        var info = await new PostgresDumper(Tools).DescribeAsync(source.Connection, CancellationToken.None);

        Assert.Equal(
            [("public.\"Odd \"\"Name\"\"; DROP TABLE x\"", 1234L), ("public.empty_table", 0L)],
            info.Tables.Select(t => (t.Table, t.Rows)));
    }

    [Fact]
    public async Task Restore_into_an_existing_database_is_refused_and_writes_nothing()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfsrc");
        await using var existing = await ScratchDatabase.CreateAsync("bfexist");
        await source.ExecuteAsync("CREATE TABLE dumped (id int); INSERT INTO dumped VALUES (1);");
        await existing.ExecuteAsync("CREATE TABLE precious (id int); INSERT INTO precious VALUES (42);");
        using var temp = new TempFolder();
        var dumpFile = temp.Combine("db.dump");
        await using (var output = File.Create(dumpFile))
            await new PostgresDumper(Tools).DumpAsync(source.Connection, output, CancellationToken.None);

        await using var input = File.OpenRead(dumpFile);
        var error = await Assert.ThrowsAsync<PostgresToolException>(
            () => new PostgresRestorer(Tools).RestoreAsync(existing.Connection, input, CancellationToken.None));

        Assert.Equal($"database {existing.Name} already exists; restore into a new database", error.Message);
        Assert.Equal(0, input.Position);
        Assert.Equal(["precious"], await existing.ColumnAsync("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"));
        Assert.Equal(42, await existing.ScalarAsync<int>("SELECT id FROM precious"));
    }

    [Fact]
    public async Task A_truncated_dump_fails_pg_restore_and_the_new_database_is_dropped()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfsrc");
        await using var target = ScratchDatabase.Reserve("bfdst");
        await source.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var dumpFile = temp.Combine("db.dump");
        await using (var output = File.Create(dumpFile))
            await new PostgresDumper(Tools).DumpAsync(source.Connection, output, CancellationToken.None);
        using (var truncate = new FileStream(dumpFile, FileMode.Open))
            truncate.SetLength(truncate.Length * 2 / 3);

        var restorer = new PostgresRestorer(Tools);
        await using var input = File.OpenRead(dumpFile);
        var error = await Assert.ThrowsAsync<PostgresToolException>(
            () => restorer.RestoreAsync(target.Connection, input, CancellationToken.None));

        Assert.StartsWith("pg_restore failed (exit 1): pg_restore: error:", error.Message, StringComparison.Ordinal);
        Assert.False(await restorer.DatabaseExistsAsync(target.Connection, CancellationToken.None));
    }

    [Fact]
    public async Task Garbage_instead_of_a_dump_is_reported_with_pg_restores_words()
    {
        await using var target = ScratchDatabase.Reserve("bfdst");
        var restorer = new PostgresRestorer(Tools);
        using var garbage = new MemoryStream(new byte[100_000]);

        var error = await Assert.ThrowsAsync<PostgresToolException>(
            () => restorer.RestoreAsync(target.Connection, garbage, CancellationToken.None));

        Assert.Contains("does not appear to be a valid archive", error.Message, StringComparison.Ordinal);
        Assert.False(await restorer.DatabaseExistsAsync(target.Connection, CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_dump_stream_drops_the_new_database_and_surfaces_its_exception()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfsrc");
        await using var target = ScratchDatabase.Reserve("bfdst");
        await source.ExecuteAsync(Schema);
        using var dump = new MemoryStream();
        await new PostgresDumper(Tools).DumpAsync(source.Connection, dump, CancellationToken.None);
        dump.Position = 0;
        await using var failing = new FailingAfterStream(dump, failAfterBytes: dump.Length / 2);

        var restorer = new PostgresRestorer(Tools);
        var error = await Assert.ThrowsAsync<InvalidDataException>(
            () => restorer.RestoreAsync(target.Connection, failing, CancellationToken.None));

        Assert.Equal("simulated integrity failure", error.Message);
        Assert.False(await restorer.DatabaseExistsAsync(target.Connection, CancellationToken.None));
    }

    [Fact]
    public async Task Cancelling_a_dump_kills_pg_dump()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfsrc");
        await source.ExecuteAsync("CREATE TABLE big AS SELECT i, md5(i::text) || md5((i + 1)::text) AS pad FROM generate_series(1, 400000) i;");
        using var cancellation = new CancellationTokenSource();
        await using var output = new CancelAfterFirstWriteStream(cancellation);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new PostgresDumper(Tools).DumpAsync(source.Connection, output, cancellation.Token));

        // pg_dump's session ends with the process; nothing but our probe remains connected to the database.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long sessions;
        do
        {
            sessions = await source.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
        }
        while (sessions > 0 && DateTime.UtcNow < deadline && await Delay());
        Assert.Equal(0, sessions);
    }

    [Fact]
    public async Task A_wrong_port_is_a_clear_error_naming_the_server()
    {
        var port = FreePort();
        var nowhere = TestEnvironment.Postgres("postgres") with { Port = port, Password = "s3cret-password" };

        var error = await Assert.ThrowsAsync<PostgresToolException>(
            () => new PostgresDumper(Tools).DumpAsync(nowhere, Stream.Null, CancellationToken.None));

        Assert.StartsWith($"cannot connect to postgres://postgres@{TestEnvironment.PostgresHost}:{port}/postgres: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PostgresToolException>(
            () => new PostgresRestorer(Tools).DatabaseExistsAsync(nowhere, CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_tool_is_a_clear_error()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfsrc");
        using var empty = new TempFolder();

        var error = await Assert.ThrowsAsync<PostgresToolException>(
            () => new PostgresDumper(new PostgresToolsOptions { BinDirectory = empty.Path }).DumpAsync(source.Connection, Stream.Null, CancellationToken.None));

        Assert.Equal(
            $"pg_dump was not found in '{empty.Path}': install the PostgreSQL client tools or set Postgres__BinDirectory to their folder.",
            error.Message);
    }

    [Fact]
    public void Tool_arguments_carry_no_password_and_quote_the_database_as_conninfo()
    {
        var connection = new PostgresConnectionInfo("db.example", 5433, "shop host=evil 'x' \\y", "app", "s3cret");

        var arguments = PostgresProcess.ConnectionArguments(connection).ToList();

        Assert.Equal(
            ["--no-password", "--host=db.example", "--port=5433", "--username=app", @"--dbname=dbname='shop host=evil \'x\' \\y'"],
            arguments);
        Assert.DoesNotContain(arguments, a => a.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_name_that_looks_like_a_conninfo_is_dumped_as_a_name()
    {
        await using var source = await ScratchDatabase.CreateAsync("bf x=1 'q' ");
        await source.ExecuteAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (7);");
        await using var restored = ScratchDatabase.Reserve("bf y=2 \"q\" ");
        using var dump = new MemoryStream();

        await new PostgresDumper(Tools).DumpAsync(source.Connection, dump, CancellationToken.None);
        dump.Position = 0;
        await new PostgresRestorer(Tools).RestoreAsync(restored.Connection, dump, CancellationToken.None);

        Assert.Equal(7, await restored.ScalarAsync<int>("SELECT id FROM t"));
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(100);
        return true;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
