using System.Security.Authentication;
using Npgsql;

namespace BackupFunctions.Core.Sources;

/// <summary>Npgsql connections for the describe / create / drop side of a dump or restore.</summary>
internal static class PostgresConnections
{
    public static string ConnectionString(PostgresConnectionInfo connection, string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            // A checked address is dialled as it is; the name goes to TLS (see OpenAsync).
            Host = connection.HostAddress?.ToString() ?? connection.Host,
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
            SslMode = connection.SslMode switch
            {
                PostgresSslMode.VerifyFull => SslMode.VerifyFull,
                PostgresSslMode.Require => SslMode.Require,
                _ => SslMode.Disable,
            },
        };
        // Always named, so Npgsql never falls back to PGSSLROOTCERT or ~/.postgresql/root.crt of the process: pg_dump
        // gets the same file, and both sides trust the same roots.
        if (connection.SslMode == PostgresSslMode.VerifyFull)
            builder.RootCertificate = PostgresTrustedRoots.For(connection);
        return builder.ConnectionString;
    }

    /// <summary>Opens a connection; a failure to connect becomes a <see cref="PostgresToolException"/> naming the server.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(PostgresConnectionInfo connection, string? database, CancellationToken cancellationToken)
    {
        var npgsql = new NpgsqlConnection(ConnectionString(connection, database));
        if (connection.HostAddress is not null)
        {
            // Npgsql checks the certificate against TargetHost (it computes the name mismatch from it, and sends it as
            // SNI): the configured name, not the address it dialled. Its own validation callback stays in place.
            var name = connection.Host;
            npgsql.SslClientAuthenticationOptionsCallback = options => options.TargetHost = name;
        }
        try
        {
            await npgsql.OpenAsync(cancellationToken);
            return npgsql;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await npgsql.DisposeAsync();
            var target = connection with { Database = database ?? connection.Database };
            throw new PostgresToolException($"cannot connect to {target}: {Explain(ex, connection)}", ex);
        }
    }

    /// <summary>A PostgreSQL identifier in double quotes (embedded quotes doubled), safe to splice into DDL.</summary>
    public static string QuoteIdentifier(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Npgsql says only "Exception while performing SSL handshake" when it rejects a certificate, and cannot tell
    /// which check failed; say what the certificate must satisfy, so the operator knows where to look.
    /// </summary>
    private static string Explain(Exception ex, PostgresConnectionInfo connection)
    {
        if (ex.InnerException is AuthenticationException && connection.SslMode == PostgresSslMode.VerifyFull)
        {
            return $"the server's TLS certificate was rejected (sslMode {PostgresSslModes.VerifyFull}): it must be issued by a "
                + $"certificate authority in '{PostgresTrustedRoots.For(connection)}' for the host name '{connection.Host}' "
                + $"({ex.InnerException.Message})";
        }
        return ex.Message;
    }
}
