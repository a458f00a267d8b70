using System.Diagnostics;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Streams;
using BackupFunctions.Core.Tests.Support;
using Npgsql;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>In-place restore of a dump over a live database, against the real PostgreSQL test server (TLS).</summary>
public sealed class PostgresInPlaceRestoreTests
{
    private const string Schema = """
        CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, body text, created timestamptz NOT NULL DEFAULT '2024-01-01');
        CREATE INDEX posts_title_idx ON posts (title);
        CREATE TABLE comments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, post_id int NOT NULL REFERENCES posts(id), text text CHECK (length(text) < 1000));
        CREATE SEQUENCE invoice_numbers START 1000;
        SELECT setval('invoice_numbers', 4242);
        CREATE VIEW post_stats AS SELECT p.id, count(c.id) AS comments FROM posts p LEFT JOIN comments c ON c.post_id = p.id GROUP BY p.id;
        CREATE FUNCTION post_title(int) RETURNS text LANGUAGE sql STABLE AS 'SELECT title FROM posts WHERE id = $1';
        CREATE TYPE mood AS ENUM ('happy', 'sad');
        CREATE TABLE moods (id int PRIMARY KEY, m mood);
        CREATE SCHEMA shop;
        CREATE TABLE shop.orders (id int PRIMARY KEY, post_id int REFERENCES posts(id), amount numeric(10,2));
        CREATE TABLE shop.archived (id int, note text);
        INSERT INTO posts (title, body) SELECT 'Post ' || i, repeat('Grüße 日本語 ', i % 20) FROM generate_series(1, 3000) i;
        INSERT INTO comments (post_id, text) SELECT 1 + i % 3000, 'comment ' || i FROM generate_series(1, 6000) i;
        INSERT INTO moods VALUES (1, 'happy'), (2, 'sad');
        INSERT INTO shop.orders SELECT i, 1 + i % 3000, i * 1.5 FROM generate_series(1, 2000) i;
        INSERT INTO shop.archived VALUES (1, 'a'), (2, NULL);
        """;

    /// <summary>Everything a CMS might do to its database after the backup: rows, a dropped table, new objects.</summary>
    private const string ChangesAfterBackup = """
        INSERT INTO posts (title) VALUES ('new post');
        UPDATE posts SET title = 'changed' WHERE id % 10 = 0;
        DELETE FROM comments WHERE id % 3 = 0;
        SELECT nextval('invoice_numbers');
        DROP TABLE shop.archived;
        DROP VIEW post_stats;
        CREATE TABLE added (id int PRIMARY KEY);
        INSERT INTO added VALUES (1);
        CREATE SCHEMA extra;
        CREATE TABLE extra.t (x int);
        CREATE FUNCTION added_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';
        CREATE INDEX comments_text_idx ON comments (text);
        ALTER TABLE shop.orders ADD COLUMN note text;
        """;

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(2);

    private static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    [Fact]
    public async Task Restore_over_a_changed_database_gives_back_exactly_the_backup()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfinpl");
        await db.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var (dumpFile, info) = await DumpAsync(db, temp);
        var atBackup = await NormalizedDumpAsync(db.Connection);
        await db.ExecuteAsync(ChangesAfterBackup);
        Assert.NotEqual(atBackup, await NormalizedDumpAsync(db.Connection));

        DatabaseSourceInfo restored;
        await using (var input = File.OpenRead(dumpFile))
            restored = await new PostgresInPlaceRestorer(Tools).RestoreAsync(db.Connection, input, LockTimeout, CancellationToken.None);

        Assert.Equal(atBackup, await NormalizedDumpAsync(db.Connection));
        Assert.Equal(info.Tables, restored.Tables);
        Assert.Equal(4242L, await db.ScalarAsync<long>("SELECT last_value FROM invoice_numbers"));

        // A Durable retry after a crash right after the commit redoes the restore with the same result.
        await using (var input = File.OpenRead(dumpFile))
            await new PostgresInPlaceRestorer(Tools).RestoreAsync(db.Connection, input, LockTimeout, CancellationToken.None);
        Assert.Equal(atBackup, await NormalizedDumpAsync(db.Connection));
    }

    [Fact]
    public async Task A_lock_held_by_another_session_fails_the_restore_within_the_timeout_and_changes_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfinpl");
        await db.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var (dumpFile, _) = await DumpAsync(db, temp);
        await db.ExecuteAsync(ChangesAfterBackup);
        var before = await NormalizedDumpAsync(db.Connection);

        var watch = Stopwatch.StartNew();
        await using (var holder = await ScratchDatabase.OpenAsync(db.Name))
        {
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN ACCESS SHARE MODE", holder, transaction))
                await lockPosts.ExecuteNonQueryAsync();

            await using var input = File.OpenRead(dumpFile);
            var error = await Assert.ThrowsAsync<PostgresToolException>(
                () => new PostgresInPlaceRestorer(Tools).RestoreAsync(db.Connection, input, LockTimeout, CancellationToken.None));
            Assert.Contains("lock timeout", error.Message, StringComparison.Ordinal);
            Assert.InRange(watch.Elapsed, LockTimeout, TimeSpan.FromSeconds(60));
        }

        Assert.Equal(before, await NormalizedDumpAsync(db.Connection));
    }

    [Fact]
    public async Task A_restore_cancelled_midway_leaves_the_database_as_it_was()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfinpl");
        await db.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var (dumpFile, _) = await DumpAsync(db, temp);
        await db.ExecuteAsync(ChangesAfterBackup);
        var before = await NormalizedDumpAsync(db.Connection);

        using var cancellation = new CancellationTokenSource();
        await using var input = File.OpenRead(dumpFile);
        var paused = new PausingStream(input, input.Length / 2);
        var restore = new PostgresInPlaceRestorer(Tools).RestoreAsync(db.Connection, paused, LockTimeout, cancellation.Token);
        await paused.Paused.WaitAsync(TimeSpan.FromSeconds(60));
        // Cancel only once the restore's transaction has dropped the old tables (it holds their locks).
        await WaitForAsync(async () => await db.ScalarAsync<long>(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            + "WHERE d.datname = current_database() AND l.mode = 'AccessExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()") > 0);
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => restore);

        Assert.Equal(before, await NormalizedDumpAsync(db.Connection));
    }

    [Fact]
    public async Task A_dump_that_fails_its_last_check_commits_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfinpl");
        await db.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var (dumpFile, _) = await DumpAsync(db, temp);
        await db.ExecuteAsync(ChangesAfterBackup);
        var before = await NormalizedDumpAsync(db.Connection);

        // Every byte arrives, then the stream reports damage (as a decrypting stream does on a bad last chunk).
        await using var input = File.OpenRead(dumpFile);
        var failing = new FailingAfterStream(input, input.Length);
        await Assert.ThrowsAsync<InvalidDataException>(
            () => new PostgresInPlaceRestorer(Tools).RestoreAsync(db.Connection, failing, LockTimeout, CancellationToken.None));

        Assert.Equal(before, await NormalizedDumpAsync(db.Connection));
    }

    [Fact]
    public async Task An_owner_role_that_is_not_superuser_restores_its_database()
    {
        var role = TestEnvironment.UniqueName("bfowner");
        await using var admin = await ScratchDatabase.CreateAsync("bfinpl");
        await admin.ExecuteAsync($"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; GRANT CREATE ON DATABASE {admin.Name} TO {role}; "
            + $"GRANT CREATE ON SCHEMA public TO {role}");
        try
        {
            var owner = admin.Connection with { Username = role };
            await ExecuteAsAsync(owner, Schema);
            Assert.False(await admin.ScalarAsync<bool>($"SELECT rolsuper FROM pg_roles WHERE rolname = '{role}'"));
            using var temp = new TempFolder();
            var dumpFile = temp.Combine("db.dump");
            await using (var output = File.Create(dumpFile))
                await new PostgresDumper(Tools).DumpAsync(owner, output, CancellationToken.None);
            var atBackup = await NormalizedDumpAsync(admin.Connection);
            await ExecuteAsAsync(owner, ChangesAfterBackup);

            await using (var input = File.OpenRead(dumpFile))
                await new PostgresInPlaceRestorer(Tools).RestoreAsync(owner, input, LockTimeout, CancellationToken.None);

            Assert.Equal(atBackup, await NormalizedDumpAsync(admin.Connection));
            Assert.Equal(role, await admin.ScalarAsync<string>("SELECT tableowner::text FROM pg_tables WHERE tablename = 'posts'"));
        }
        finally
        {
            await admin.DisposeAsync();
            await using var connection = await ScratchDatabase.OpenAsync("postgres");
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {role}", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task IsEmpty_is_true_only_without_user_tables()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfinpl");
        var restorer = new PostgresInPlaceRestorer(Tools);
        Assert.True(await restorer.IsEmptyAsync(db.Connection, CancellationToken.None));
        await db.ExecuteAsync("CREATE SEQUENCE s; CREATE VIEW v AS SELECT 1 AS one");
        Assert.True(await restorer.IsEmptyAsync(db.Connection, CancellationToken.None));
        await db.ExecuteAsync("CREATE SCHEMA cms; CREATE TABLE cms.pages (id int)");
        Assert.False(await restorer.IsEmptyAsync(db.Connection, CancellationToken.None));
    }

    [Fact]
    public async Task Selective_restore_replaces_only_the_given_table_and_keeps_the_foreign_keys_of_others()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfinpl");
        await db.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var (dumpFile, info) = await DumpAsync(db, temp);
        var postsAtBackup = await NormalizedDumpAsync(db.Connection, "--table=public.posts");
        await db.ExecuteAsync(ChangesAfterBackup);
        await db.ExecuteAsync("CREATE INDEX posts_body_idx ON posts (body); ALTER TABLE posts ADD COLUMN extra int");
        // The sequence of posts.id belongs to posts: it is restored with it.
        string[] others = ["--exclude-table=public.posts", "--exclude-table=public.posts_id_seq"];
        var othersBefore = await NormalizedDumpAsync(db.Connection, others);
        Assert.NotEqual(postsAtBackup, await NormalizedDumpAsync(db.Connection, "--table=public.posts"));

        var restored = await new PostgresInPlaceRestorer(Tools).RestoreTablesAsync(
            db.Connection, _ => Task.FromResult<Stream>(File.OpenRead(dumpFile)), ["public.posts"], LockTimeout, CancellationToken.None);

        Assert.Equal(postsAtBackup, await NormalizedDumpAsync(db.Connection, "--table=public.posts"));
        Assert.Equal(othersBefore, await NormalizedDumpAsync(db.Connection, others));
        Assert.Equal(info.Tables.Single(t => t.Table == "public.posts"), restored.Tables.Single(t => t.Table == "public.posts"));
        // The foreign keys of comments and shop.orders still point at posts and are checked.
        Assert.Equal(2L, await db.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'public.posts'::regclass"));
        await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("INSERT INTO shop.orders VALUES (999999, 999999, 1)"));
    }

    [Fact]
    public async Task Selective_restore_that_would_break_another_table_or_view_fails_and_changes_nothing()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfinpl");
        await db.ExecuteAsync(Schema);
        using var temp = new TempFolder();
        var (dumpFile, _) = await DumpAsync(db, temp);
        var restorer = new PostgresInPlaceRestorer(Tools);
        Task<Stream> Open(CancellationToken _) => Task.FromResult<Stream>(File.OpenRead(dumpFile));

        // The view post_stats depends on posts: it would have to go, so the restore refuses.
        await db.ExecuteAsync("UPDATE posts SET title = 'changed' WHERE id < 100");
        var before = await NormalizedDumpAsync(db.Connection);
        var error = await Assert.ThrowsAsync<PostgresToolException>(
            () => restorer.RestoreTablesAsync(db.Connection, Open, ["public.posts"], LockTimeout, CancellationToken.None));
        Assert.Contains("post_stats", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await NormalizedDumpAsync(db.Connection));

        // A comment on a post created after the backup: restoring posts alone would leave it dangling.
        await db.ExecuteAsync("DROP VIEW post_stats; INSERT INTO posts (id, title) VALUES (50000, 'new'); INSERT INTO comments (post_id, text) VALUES (50000, 'on new')");
        before = await NormalizedDumpAsync(db.Connection);
        error = await Assert.ThrowsAsync<PostgresToolException>(
            () => restorer.RestoreTablesAsync(db.Connection, Open, ["public.posts"], LockTimeout, CancellationToken.None));
        Assert.Contains("comments_post_id_fkey", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, await NormalizedDumpAsync(db.Connection));

        await Assert.ThrowsAsync<PostgresToolException>(
            () => restorer.RestoreTablesAsync(db.Connection, Open, ["public.nosuchtable"], LockTimeout, CancellationToken.None));
    }

    [Theory]
    [InlineData("public.posts", "public", "posts")]
    [InlineData("\"Mixed Schema\".\"Täble \"\"quoted\"\"\"", "Mixed Schema", "Täble \"quoted\"")]
    [InlineData("shop.\"a.b\"", "shop", "a.b")]
    public void Table_names_are_parsed_as_the_manifest_writes_them(string table, string schema, string name) =>
        Assert.Equal((schema, name), PostgresInPlaceRestorer.ParseTableName(table));

    [Theory]
    [InlineData("posts")]
    [InlineData("a.b.c")]
    [InlineData("\"open.b")]
    [InlineData("a.")]
    [InlineData(".b")]
    public void Names_that_are_not_schema_and_table_are_refused(string table) =>
        Assert.Throws<ArgumentException>(() => PostgresInPlaceRestorer.ParseTableName(table));

    private static async Task<(string File, DatabaseSourceInfo Info)> DumpAsync(ScratchDatabase db, TempFolder temp)
    {
        var dumpFile = temp.Combine("db.dump");
        await using var output = File.Create(dumpFile);
        var info = await new PostgresDumper(Tools).DumpAsync(db.Connection, output, CancellationToken.None);
        return (dumpFile, info);
    }

    private static async Task ExecuteAsAsync(PostgresConnectionInfo connection, string sql)
    {
        await using var npgsql = new NpgsqlConnection(TestEnvironment.NpgsqlConnectionString(connection));
        await npgsql.OpenAsync();
        await using var command = new NpgsqlCommand(sql, npgsql);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Schema and data as plain SQL (owners and grants left out), without comments and the random
    /// <c>\restrict</c> keys, so that two dumps of the same content compare equal.
    /// </summary>
    internal static async Task<string> NormalizedDumpAsync(PostgresConnectionInfo db, params string[] selection)
    {
        var startInfo = new ProcessStartInfo(Path.Combine(TestEnvironment.PostgresBinDirectory, "pg_dump"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--no-owner", "--no-privileges", "--host=" + db.Host, "--port=" + db.Port, "--username=postgres", "--dbname=" + db.Database })
            startInfo.ArgumentList.Add(argument);
        foreach (var argument in selection)
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["PGSSLMODE"] = "verify-full";
        startInfo.Environment["PGSSLROOTCERT"] = TestEnvironment.PostgresRootCert;
        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal) && !line.StartsWith("\\restrict", StringComparison.Ordinal)
                && !line.StartsWith("\\unrestrict", StringComparison.Ordinal))
                lines.Add(line);
        }
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return string.Join('\n', lines);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the condition did not become true within 60 s");
            await Task.Delay(50);
        }
    }

    /// <summary>Serves the first bytes of a stream, then signals and waits until the read is cancelled.</summary>
    private sealed class PausingStream(Stream inner, long pauseAfterBytes) : ForwardOnlyReadStream
    {
        private long _read;

        public SemaphoreSlim Paused { get; } = new(0);

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(Span<byte> buffer) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read >= pauseAfterBytes)
            {
                Paused.Release();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, pauseAfterBytes - _read)], cancellationToken);
            _read += read;
            return read;
        }
    }
}
