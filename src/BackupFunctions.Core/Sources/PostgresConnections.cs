using Npgsql;

namespace BackupFunctions.Core.Sources;

/// <summary>Npgsql connections for the describe / create / drop side of a dump or restore.</summary>
internal static class PostgresConnections
{
    public static string ConnectionString(PostgresConnectionInfo connection, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = connection.Host,
            Port = connection.Port,
            Database = database ?? connection.Database,
            Username = connection.Username,
            Password = connection.Password,
            ApplicationName = "BackupFunctions",
            // Backups run minutes apart; an idle pooled connection would only block DROP/CREATE DATABASE.
            Pooling = false,
            Timeout = 30,
            // Exact counts of big tables take what they take; cancellation bounds them.
            CommandTimeout = 0,
        };
        return builder.ConnectionString;
    }

    /// <summary>Opens a connection; a failure to connect becomes a <see cref="PostgresToolException"/> naming the server.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(PostgresConnectionInfo connection, string? database, CancellationToken cancellationToken)
    {
        var npgsql = new NpgsqlConnection(ConnectionString(connection, database));
        try
        {
            await npgsql.OpenAsync(cancellationToken);
            return npgsql;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await npgsql.DisposeAsync();
            var target = connection with { Database = database ?? connection.Database };
            throw new PostgresToolException($"cannot connect to {target}: {ex.Message}", ex);
        }
    }

    /// <summary>A PostgreSQL identifier in double quotes (embedded quotes doubled), safe to splice into DDL.</summary>
    public static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
