using BackupFunctions.Core.Sources;
using Npgsql;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// A comparable fingerprint of a database: for every table its row count and an md5 over all rows in a fixed order,
/// every sequence's state, and the names of views and indexes.
/// </summary>
public sealed record DatabaseSnapshot(
    IReadOnlyDictionary<string, string> Tables,
    IReadOnlyDictionary<string, string> Sequences,
    IReadOnlyList<string> Views,
    IReadOnlyList<string> Indexes)
{
    public static async Task<DatabaseSnapshot> TakeAsync(PostgresConnectionInfo db)
    {
        await using var connection = new NpgsqlConnection(SampleCms.ConnectionString(db));
        await connection.OpenAsync();

        var tables = new Dictionary<string, string>();
        foreach (var table in await ListAsync(connection, "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))
        {
            tables[table] = await ScalarAsync(connection,
                $"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t");
        }

        var sequences = new Dictionary<string, string>();
        foreach (var sequence in await ListAsync(connection, "SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"))
            sequences[sequence] = await ScalarAsync(connection, $"SELECT last_value || ':' || is_called FROM {sequence}");

        var views = await ListAsync(connection, "SELECT viewname || ':' || md5(definition) FROM pg_views WHERE schemaname = 'public' ORDER BY 1");
        var indexes = await ListAsync(connection, "SELECT indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1");
        return new DatabaseSnapshot(tables, sequences, views, indexes);
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection connection, string sql)
    {
        var result = new List<string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(reader.GetString(0));
        return result;
    }

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
