using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using Npgsql;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>A uniquely named database on the test server; dropped (with FORCE) on dispose, also if a test created it.</summary>
internal sealed class ScratchDatabase : IAsyncDisposable
{
    private ScratchDatabase(string name) => Name = name;

    public string Name { get; }

    public PostgresConnectionInfo Connection => TestEnvironment.Postgres(Name);

    /// <summary>A name only; the database is not created (for restore targets).</summary>
    public static ScratchDatabase Reserve(string prefix) => new(TestEnvironment.UniqueName(prefix));

    public static async Task<ScratchDatabase> CreateAsync(string prefix)
    {
        var database = Reserve(prefix);
        await ExecuteAsync("postgres", $"CREATE DATABASE {Quoted(database.Name)}");
        return database;
    }

    public Task ExecuteAsync(string sql) => ExecuteAsync(Name, sql);

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync(Name);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task<List<string>> ColumnAsync(string sql)
    {
        await using var connection = await OpenAsync(Name);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
            values.Add(reader.GetString(0));
        return values;
    }

    public static async Task<NpgsqlConnection> OpenAsync(string database)
    {
        var connection = new NpgsqlConnection(TestEnvironment.NpgsqlConnectionString(TestEnvironment.Postgres(database)));
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = await OpenAsync(database);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string Quoted(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public async ValueTask DisposeAsync() => await ExecuteAsync("postgres", $"DROP DATABASE IF EXISTS {Quoted(Name)} WITH (FORCE)");
}
