using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Sources;

/// <summary>Streams a database out of PostgreSQL with pg_dump (custom format) from its stdout; no temporary file.</summary>
public sealed class PostgresDumper
{
    public PostgresDumper(PostgresToolsOptions options) => throw new NotImplementedException();

    /// <summary>Server version and exact row count of every user table.</summary>
    public Task<DatabaseSourceInfo> DescribeAsync(PostgresConnectionInfo source, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>
    /// Writes the pg_dump custom-format dump to <paramref name="output"/> and returns what was dumped.
    /// A non-zero exit of pg_dump throws <see cref="PostgresToolException"/> with its stderr (no secrets).
    /// </summary>
    public Task<DatabaseSourceInfo> DumpAsync(PostgresConnectionInfo source, Stream output, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
