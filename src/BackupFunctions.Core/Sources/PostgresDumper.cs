using System.Data;
using BackupFunctions.Core.Format;
using Npgsql;

namespace BackupFunctions.Core.Sources;

/// <summary>Streams a database out of PostgreSQL with pg_dump (custom format) from its stdout; no temporary file.</summary>
public sealed class PostgresDumper
{
    /// <summary>
    /// The user tables (plain and partitioned) of a database as <c>c</c> (pg_class) and <c>n</c> (pg_namespace): the
    /// tables whose rows a manifest counts, and so the ones a restore preview compares.
    /// </summary>
    internal const string UserTablesFromWhere = """
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p')
          AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%'
          AND n.nspname NOT LIKE 'pg\_temp\_%'
        """;

    private const string UserTablesSql =
        "SELECT format('%I.%I', n.nspname, c.relname)\n" + UserTablesFromWhere + "\nORDER BY n.nspname, c.relname";

    private readonly PostgresToolsOptions _options;

    public PostgresDumper(PostgresToolsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Server version and exact row count of every user table. Table names are schema-qualified and quoted where
    /// PostgreSQL needs quotes (<c>public.items</c>, <c>"My Schema"."Table"</c>); all counts come from one snapshot.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Instance member of the public contract.")]
    public async Task<DatabaseSourceInfo> DescribeAsync(PostgresConnectionInfo source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        await using var connection = await PostgresConnections.OpenAsync(source, null, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        return await DescribeAsync(source, connection, transaction, cancellationToken);
    }

    /// <summary>
    /// Writes the pg_dump custom-format dump to <paramref name="output"/> and returns what was dumped.
    /// A non-zero exit of pg_dump throws <see cref="PostgresToolException"/> with its stderr (no secrets).
    /// The row counts and the dump see the same snapshot (exported to pg_dump with <c>--snapshot</c>), so the
    /// counts are exactly what a restore must contain.
    /// </summary>
    public Task<DatabaseSourceInfo> DumpAsync(PostgresConnectionInfo source, Stream output, CancellationToken cancellationToken)
        => DumpAsync(source, output, null, cancellationToken);

    /// <summary>
    /// As <see cref="DumpAsync(PostgresConnectionInfo, Stream, CancellationToken)"/>, and runs the config's restore-drill
    /// <paramref name="checks"/> in the same snapshot (read only, before pg_dump starts), recording their digests in
    /// <see cref="DatabaseSourceInfo.Checks"/>: what a restore of this dump must answer.
    /// </summary>
    public async Task<DatabaseSourceInfo> DumpAsync(
        PostgresConnectionInfo source, Stream output, Restores.Drills.DrillCheckRun? checks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(output);

        // The transaction stays open until pg_dump is done: it keeps the exported snapshot importable.
        await using var connection = await PostgresConnections.OpenAsync(source, null, cancellationToken);
        var tool = await CheckToolVersionAsync(connection, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        string snapshot;
        await using (var export = new NpgsqlCommand("SELECT pg_catalog.pg_export_snapshot()", connection, transaction))
            snapshot = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
        var info = await DescribeAsync(source, connection, transaction, cancellationToken);
        if (checks is { Checks.Count: > 0 })
        {
            try
            {
                info = info with { Checks = await checks.RunAsync(connection, transaction, cancellationToken) };
            }
            catch (PostgresException ex)
            {
                throw new PostgresToolException($"cannot run the restore-drill checks on {source}: {ex.MessageText}", ex);
            }
        }

        string[] arguments = ["--format=custom", "--snapshot=" + snapshot, .. PostgresProcess.ConnectionArguments(source)];
        var outcome = await PostgresProcess.RunAsync(
            tool,
            arguments,
            source,
            redirectStdin: false,
            redirectStdout: true,
            (process, ct) => process.StandardOutput.BaseStream.CopyToAsync(output, ct),
            cancellationToken);
        if (outcome.ExitCode != 0)
            throw new PostgresToolException($"pg_dump failed (exit {outcome.ExitCode}): {outcome.Stderr}");

        return info;
    }

    /// <summary>
    /// pg_dump refuses a server of a newer major only after it has connected, in words a CMS admin cannot act on; this
    /// asks both sides first and fails with what to install. Returns the path of the pg_dump to run.
    /// </summary>
    private async Task<string> CheckToolVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        string serverVersion;
        int serverNumber;
        try
        {
            await using var show = new NpgsqlCommand(
                "SELECT current_setting('server_version'), current_setting('server_version_num')::int", connection);
            await using var reader = await show.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            serverVersion = reader.GetString(0).Split(' ', 2)[0];
            serverNumber = reader.GetInt32(1);
        }
        catch (PostgresException ex)
        {
            throw new PostgresToolException($"cannot read the server's version: {ex.MessageText}", ex);
        }

        var tool = await PostgresToolVersions.ProbeAsync(_options, "pg_dump", cancellationToken);
        if (tool.Major is not { } toolMajor)
            throw new PostgresToolException(tool.Error!);
        var serverMajor = serverNumber / 10000;
        if (serverMajor > toolMajor)
        {
            throw new PostgresToolException(
                $"PostgreSQL server {serverVersion} is newer than pg_dump {tool.Version} at {tool.Path}: "
                + $"install the PostgreSQL {serverMajor} client tools (see docs/deployment.md)");
        }
        return tool.Path;
    }

    private static async Task<DatabaseSourceInfo> DescribeAsync(
        PostgresConnectionInfo source, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        try
        {
            string version;
            await using (var show = new NpgsqlCommand("SHOW server_version", connection, transaction))
                version = (string)(await show.ExecuteScalarAsync(cancellationToken))!;

            var tables = new List<string>();
            await using (var list = new NpgsqlCommand(UserTablesSql, connection, transaction))
            await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                    tables.Add(reader.GetString(0));
            }

            var counts = new List<TableRowCount>(tables.Count);
            foreach (var table in tables)
            {
                // The name was quoted by format('%I.%I') on the server, so it is safe to splice in.
#pragma warning disable CA2100
                await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection, transaction);
#pragma warning restore CA2100
                counts.Add(new TableRowCount(table, (long)(await count.ExecuteScalarAsync(cancellationToken))!));
            }

            return new DatabaseSourceInfo { Database = source.Database, ServerVersion = version, Tables = counts };
        }
        catch (PostgresException ex)
        {
            throw new PostgresToolException($"cannot describe {source}: {ex.MessageText}", ex);
        }
    }
}
