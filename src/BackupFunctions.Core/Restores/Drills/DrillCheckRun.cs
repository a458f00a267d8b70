using System.Data;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Sources;
using Npgsql;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>
/// Runs a config's drill checks on one database and digests their answers (<see cref="DrillCheckDigest"/>): at backup
/// time on the live database inside the dump's snapshot (<see cref="PostgresDumper.DumpAsync(PostgresConnectionInfo, Stream, DrillCheckRun?, CancellationToken)"/>), at drill time on the
/// scratch database. Each query runs in a READ ONLY transaction with a statement timeout, as one statement of the
/// extended protocol (the server refuses a second statement), wrapped as a subquery (the server refuses
/// data-modifying WITH there): a query that tries to write, or to end the transaction, fails instead.
/// </summary>
/// <param name="checks">The checks, in the config's order.</param>
/// <param name="dataKey">The backup's data key (the caller owns and zeroes it); empty for a backup without encryption.</param>
/// <param name="backupId">The backup the digests belong to.</param>
public sealed class DrillCheckRun(IReadOnlyList<RestoreDrillCheck> checks, ReadOnlyMemory<byte> dataKey, string backupId)
{
    /// <summary>How long one check may run; on the live database it holds the dump's snapshot open meanwhile.</summary>
    public static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(30);

    public IReadOnlyList<RestoreDrillCheck> Checks => checks;

    /// <summary>The statement timeout of each check (<see cref="StatementTimeout"/> unless a test shortens it).</summary>
    public TimeSpan Timeout { get; init; } = StatementTimeout;

    /// <summary>
    /// Runs the checks inside <paramref name="transaction"/>, which this turns READ ONLY (allowed at any point of a
    /// transaction: only the way back to read-write is refused). A check that fails (a write, a timeout, a syntax
    /// error) is rolled back to its savepoint and recorded with its SQLSTATE; the transaction stays usable.
    /// </summary>
    internal async Task<IReadOnlyList<RecordedDrillCheck>> RunAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, transaction, "SET TRANSACTION READ ONLY", cancellationToken);
        await ExecuteAsync(connection, transaction,
            FormattableString.Invariant($"SET LOCAL statement_timeout = {(long)Timeout.TotalMilliseconds}"), cancellationToken);
        var results = new List<RecordedDrillCheck>(checks.Count);
        foreach (var check in checks)
        {
            await ExecuteAsync(connection, transaction, "SAVEPOINT bf_drill_check", cancellationToken);
            using var digest = DrillCheckDigest.Begin(dataKey.Span, backupId, check.Name);
            try
            {
                // A batch command is sent as it is (Npgsql does not split it at semicolons), so it is one Parse message.
                await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { new NpgsqlBatchCommand(Wrap(check.Sql)) } };
                await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                        digest.AddRow(reader.GetString(0));
                }
                await ExecuteAsync(connection, transaction, "RELEASE SAVEPOINT bf_drill_check", cancellationToken);
                results.Add(new RecordedDrillCheck { Name = check.Name, Query = DrillCheckDigest.QueryHash(check.Sql), Rows = digest.Rows, Digest = digest.Finish() });
            }
            catch (PostgresException e)
            {
                await ExecuteAsync(connection, transaction, "ROLLBACK TO SAVEPOINT bf_drill_check", cancellationToken);
                results.Add(new RecordedDrillCheck { Name = check.Name, Query = DrillCheckDigest.QueryHash(check.Sql), Error = e.SqlState });
            }
        }
        return results;
    }

    /// <summary>Runs the checks on <paramref name="target"/> in a transaction of their own (the drill's scratch database).</summary>
    public async Task<IReadOnlyList<RecordedDrillCheck>> RunAsync(PostgresConnectionInfo target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var connection = await PostgresConnections.OpenAsync(target, null, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var results = await RunAsync(connection, transaction, cancellationToken);
        await transaction.RollbackAsync(cancellationToken);
        return results;
    }

    /// <summary>
    /// The query as a subquery whose rows the server returns as the text of the whole row, sorted bytewise. The line
    /// break keeps a trailing <c>--</c> comment from swallowing the closing parenthesis.
    /// </summary>
    internal static string Wrap(string sql)
        => "SELECT bf_check_row::text FROM (\n" + sql.TrimEnd().TrimEnd(';').TrimEnd() + "\n) AS bf_check_row ORDER BY bf_check_row::text COLLATE \"C\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
#pragma warning disable CA2100 // fixed statements of this class
        await using var command = new NpgsqlCommand(sql, connection, transaction);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
