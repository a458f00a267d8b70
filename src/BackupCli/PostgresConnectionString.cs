using BackupFunctions.Core.Sources;
using Npgsql;

namespace BackupCli;

/// <summary>
/// Reads <c>--db</c> / <c>--to-db</c>: an Npgsql connection string (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>).
/// The password may instead come from PGPASSWORD, which keeps it out of the shell history and the process list.
/// </summary>
internal static class PostgresConnectionString
{
    public const string PasswordVariable = "PGPASSWORD";

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

        var password = string.IsNullOrEmpty(builder.Password) ? context.GetEnvironmentVariable(PasswordVariable) : builder.Password;
        return new PostgresConnectionInfo(builder.Host, builder.Port, builder.Database!, builder.Username!, password);
    }
}
