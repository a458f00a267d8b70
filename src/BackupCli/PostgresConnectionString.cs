using System.Data.Common;
using BackupFunctions.Core.Sources;
using Npgsql;

namespace BackupCli;

/// <summary>
/// Reads <c>--db</c> / <c>--to-db</c>: an Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>).
/// The password may instead come from PGPASSWORD, which keeps it out of the shell history and the process list.
/// TLS is verified by default, as in the service: <c>SSL Mode</c> (<c>VerifyFull</c>, <c>Require</c>, <c>Disable</c>) and
/// <c>Root Certificate</c> in the string, else libpq's PGSSLMODE and PGSSLROOTCERT, else verify-full against the
/// system's CA bundle.
/// </summary>
internal static class PostgresConnectionString
{
    public const string PasswordVariable = "PGPASSWORD";
    public const string SslModeVariable = "PGSSLMODE";
    public const string RootCertVariable = "PGSSLROOTCERT";

    public static PostgresConnectionInfo Parse(string optionName, string text, CliContext context)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(text);
        }
        catch (ArgumentException ex)
        {
            // The message of a bad key names the key, never a value: safe to show.
            throw new UsageException($"{optionName} is not a connection string of the form Host=…;Port=…;Database=…;Username=…: {ex.Message}", ex);
        }

        var missing = new[] { ("Host", builder.Host), ("Database", builder.Database), ("Username", builder.Username) }
            .Where(p => string.IsNullOrWhiteSpace(p.Item2))
            .Select(p => p.Item1)
            .ToList();
        if (missing.Count > 0)
            throw new UsageException($"{optionName} needs {string.Join(", ", missing)} (Host=…;Port=…;Database=…;Username=…).");
        if (builder.Host!.Contains(',', StringComparison.Ordinal))
            throw new UsageException($"{optionName} names several hosts; give one.");

        var sslMode = SslModeOf(optionName, builder, context);
        var rootCertificate = string.IsNullOrEmpty(builder.RootCertificate) ? context.GetEnvironmentVariable(RootCertVariable) : builder.RootCertificate;
        if (sslMode == PostgresSslMode.VerifyFull && PostgresTrustedRoots.Check(rootCertificate) is { } problem)
            throw new UsageException($"{optionName}: cannot verify the server's TLS certificate: {problem} (Root Certificate=… or {RootCertVariable}; SSL Mode=Require skips the check).");

        var password = string.IsNullOrEmpty(builder.Password) ? context.GetEnvironmentVariable(PasswordVariable) : builder.Password;
        return new PostgresConnectionInfo(builder.Host, builder.Port, builder.Database!, builder.Username!, password)
        {
            SslMode = sslMode,
            SslRootCertFile = rootCertificate,
        };
    }

    /// <summary>The string's SSL Mode when it has one, else PGSSLMODE, else verify-full; modes that do not verify when asked to are refused.</summary>
    private static PostgresSslMode SslModeOf(string optionName, NpgsqlConnectionStringBuilder builder, CliContext context)
    {
        // The builder reports Prefer (its default) for a string without SSL Mode; its canonical form lists only what was given.
        var given = new DbConnectionStringBuilder { ConnectionString = builder.ConnectionString }.ContainsKey("SSL Mode");
        if (given)
        {
            return builder.SslMode switch
            {
                SslMode.VerifyFull => PostgresSslMode.VerifyFull,
                SslMode.Require => PostgresSslMode.Require,
                SslMode.Disable => PostgresSslMode.Disable,
                _ => throw new UsageException($"{optionName}: SSL Mode={builder.SslMode} is not supported; give VerifyFull (default), Require or Disable."),
            };
        }
        if (context.GetEnvironmentVariable(SslModeVariable) is { } word)
        {
            return PostgresSslModes.TryParse(word, out var mode)
                ? mode
                : throw new UsageException($"{SslModeVariable}={word} is not supported by backupctl; give {string.Join(", ", PostgresSslModes.Names)}.");
        }
        return PostgresSslMode.VerifyFull;
    }
}
