using BackupFunctions.Core.Tests.Support;
using Npgsql;

namespace BackupCli.Tests.Support;

/// <summary>A uniquely named database on the test server, dropped (FORCE) on dispose, also when a restore created it.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(string name) => Name = name;

    public string Name { get; }

    /// <summary>The Npgsql connection string backupctl takes in --db / --to-db: TLS verified against the test server's CA.</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = TestEnvironment.PostgresHost,
        Port = TestEnvironment.PostgresPort,
        Database = Name,
        Username = "postgres",
        SslMode = SslMode.VerifyFull,
        RootCertificate = TestEnvironment.PostgresRootCert,
    }.ConnectionString;

    /// <summary>A name only; the database is created by a restore.</summary>
    public static TestDatabase Reserve(string prefix) => new(TestEnvironment.UniqueName(prefix));

    public static async Task<TestDatabase> CreateAsync(string prefix)
    {
        var database = Reserve(prefix);
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public Task ExecuteAsync(string sql) => ExecuteAsync(Name, sql);

    /// <summary>Row count of every user table, by schema-qualified name.</summary>
    public async Task<Dictionary<string, long>> RowCountsAsync()
    {
        var tables = new List<string>();
        await using var connection = await OpenAsync(Name);
        await using (var list = new NpgsqlCommand(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
#pragma warning disable CA2100 // names come from pg_tables, quoted by format('%I')
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
#pragma warning restore CA2100
            counts[table] = (long)(await count.ExecuteScalarAsync())!;
        }
        return counts;
    }

    public async Task<bool> ExistsAsync()
    {
        await using var connection = await OpenAsync("postgres");
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = Name });
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");

    private static async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var connection = new NpgsqlConnection(TestEnvironment.NpgsqlConnectionString(TestEnvironment.Postgres(database)));
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = await OpenAsync(database);
#pragma warning disable CA2100 // test SQL
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync();
    }
}
