using System.Diagnostics;
using System.Globalization;
using BackupFunctions.Core.Sources;
using Npgsql;

// Usage: DbRestoreBench MEGABYTES [RUNS]. Connects as the superuser of the scripts/services.sh test server
// (BF_TEST_PG_HOST, BF_TEST_PG_PORT, BF_TEST_PG_BIN, BF_TEST_PG_ROOT_CERT), over TLS verified against its CA.
var megabytes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
string Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : throw new InvalidOperationException($"{name} is not set: source scripts/services.sh and run bf_start_postgres");
var tools = new PostgresToolsOptions { BinDirectory = Env("BF_TEST_PG_BIN") };
PostgresConnectionInfo Connection(string database) =>
    new(Env("BF_TEST_PG_HOST"), int.Parse(Env("BF_TEST_PG_PORT"), CultureInfo.InvariantCulture), database, "postgres")
    { SslMode = PostgresSslMode.VerifyFull, SslRootCertFile = Env("BF_TEST_PG_ROOT_CERT") };

async Task ExecuteAsync(string database, string sql)
{
    var c = Connection(database);
    await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
    {
        Host = c.Host, Port = c.Port, Database = database, Username = c.Username, Pooling = false, CommandTimeout = 0,
        SslMode = SslMode.VerifyFull, RootCertificate = c.SslRootCertFile,
    }.ConnectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

var stamp = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
var source = "bfbench_src_" + stamp;
var fresh = "bfbench_new_" + stamp;
var dumpFile = Path.Combine(Path.GetTempPath(), $"bfbench-{stamp}.dump");
try
{
    // A CMS-like shape: posts with text bodies (most of the bytes), comments, metadata, each with indexes and keys.
    // Row counts scale with MEGABYTES (about 1 KB of hex text per post row, so the dump compresses like real text
    // rather than like repeated bytes).
    var posts = megabytes * 600;
    await ExecuteAsync("postgres", $"CREATE DATABASE {source} TEMPLATE template0");
    var watch = Stopwatch.StartNew();
    await ExecuteAsync(source, $"""
        CREATE TABLE posts (id bigserial PRIMARY KEY, author int NOT NULL, slug text NOT NULL UNIQUE, title text NOT NULL,
                            body text NOT NULL, created timestamptz NOT NULL);
        CREATE INDEX posts_author_created_idx ON posts (author, created);
        CREATE TABLE comments (id bigserial PRIMARY KEY, post_id bigint NOT NULL REFERENCES posts(id), body text NOT NULL, created timestamptz NOT NULL);
        CREATE INDEX comments_post_idx ON comments (post_id);
        CREATE TABLE post_meta (post_id bigint NOT NULL REFERENCES posts(id), key text NOT NULL, value text, PRIMARY KEY (post_id, key));
        CREATE VIEW recent_posts AS SELECT id, title FROM posts WHERE created > timestamptz '2025-06-01';
        INSERT INTO posts (author, slug, title, body, created)
            SELECT i % 97, 'post-' || i, 'Title ' || md5(i::text), (SELECT string_agg(md5((i * 31 + j)::text), ' ') FROM generate_series(1, 28) j),
                   timestamptz '2024-01-01' + i * interval '1 minute'
            FROM generate_series(1, {posts}) i;
        INSERT INTO comments (post_id, body, created)
            SELECT 1 + i % {posts}, repeat(md5((i * 7)::text), 4), timestamptz '2024-01-01' + i * interval '20 seconds'
            FROM generate_series(1, {posts * 2}) i;
        INSERT INTO post_meta SELECT 1 + i / 3, 'key' || (i % 3), md5(i::text) FROM generate_series(0, {posts * 3 - 1}) i;
        ANALYZE;
        """);
    Console.WriteLine($"generated {source} in {watch.Elapsed.TotalSeconds:F1} s");

    long databaseBytes;
    {
        var c = Connection(source);
        await using var connection = new NpgsqlConnection($"Host={c.Host};Port={c.Port};Database={source};Username=postgres;Pooling=false;SSL Mode=VerifyFull;Root Certificate={c.SslRootCertFile}");
        await connection.OpenAsync();
        await using var size = new NpgsqlCommand("SELECT pg_database_size(current_database())", connection);
        databaseBytes = (long)(await size.ExecuteScalarAsync())!;
    }

    watch.Restart();
    await using (var output = File.Create(dumpFile))
        await new PostgresDumper(tools).DumpAsync(Connection(source), output, CancellationToken.None);
    Console.WriteLine($"database {databaseBytes / 1e6:F0} MB, dump {new FileInfo(dumpFile).Length / 1e6:F0} MB in {watch.Elapsed.TotalSeconds:F1} s");

    var results = new List<(string Method, double Seconds)>();
    for (var run = 1; run <= runs; run++)
    {
        watch.Restart();
        await using (var input = File.OpenRead(dumpFile))
            await new PostgresRestorer(tools).RestoreAsync(Connection(fresh), input, CancellationToken.None);
        results.Add(("into a new database (pg_restore -d)", watch.Elapsed.TotalSeconds));
        await ExecuteAsync("postgres", $"DROP DATABASE {fresh} WITH (FORCE)");

        watch.Restart();
        await using (var input = File.OpenRead(dumpFile))
            await new PostgresInPlaceRestorer(tools).RestoreAsync(Connection(source), input, TimeSpan.FromSeconds(10), CancellationToken.None);
        results.Add(("in place, one transaction (psql -1)", watch.Elapsed.TotalSeconds));
    }

    Console.WriteLine();
    Console.WriteLine($"| method | best of {runs} (s) | MB/s of database |");
    Console.WriteLine("|---|---|---|");
    foreach (var group in results.GroupBy(r => r.Method))
    {
        var best = group.Min(r => r.Seconds);
        Console.WriteLine($"| {group.Key} | {best:F1} | {databaseBytes / 1e6 / best:F0} |");
    }
}
finally
{
    File.Delete(dumpFile);
    await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {fresh} WITH (FORCE)");
    await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {source} WITH (FORCE)");
}
