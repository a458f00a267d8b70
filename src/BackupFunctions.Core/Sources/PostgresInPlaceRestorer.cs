using System.Buffers;
using System.Globalization;
using System.Text;
using BackupFunctions.Core.Format;
using Npgsql;

namespace BackupFunctions.Core.Sources;

/// <summary>
/// Restores a custom-format dump over a live database in one transaction: the database ends either exactly as in the
/// dump or exactly as before. pg_restore turns the dump into SQL (<c>--single-transaction --file=-</c>, no server
/// involved) and psql runs it (<c>ON_ERROR_STOP</c>) after a prelude, sent first on the same connection and inside
/// the same transaction, that drops every object of the user schemas, so objects created after the backup go too.
/// See docs/design.md, "Restoring a database in place".
/// </summary>
/// <remarks>
/// Idempotent: a retry after a crash either finds the restore committed (and redoes it with the same result) or
/// finds the database as before (the killed session's transaction was rolled back by the server).
/// </remarks>
public sealed class PostgresInPlaceRestorer
{
    /// <summary>
    /// The end of pg_restore's output that psql gets only once pg_restore exited 0 and the dump was read to its end:
    /// it holds the final COMMIT (followed by ~150 bytes of comments and <c>\unrestrict</c>), so a failing tool or an
    /// integrity failure at the dump's last byte can never be committed.
    /// </summary>
    private const int HeldBackBytes = 64 * 1024;

    private const int CopyBufferSize = 128 * 1024;

    private const string UserTablesExistSql = """
        SELECT EXISTS (
            SELECT 1
            FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\_toast%'
              AND n.nspname NOT LIKE 'pg\_temp\_%')
        """;

    /// <summary>
    /// Runs inside the restore's transaction, before the dump's SQL, with the lock timeout in force: every lock the
    /// restore needs on existing objects is taken here. Schemas other than public are dropped whole (the dump
    /// creates them again); public cannot be (in PostgreSQL 15 it belongs to pg_database_owner and pg_dump does not
    /// recreate it), so its relations, routines, types and the large objects are dropped one by one. Objects that
    /// belong to an extension are left to the extension. search_path = pg_catalog makes regprocedure print
    /// schema-qualified names.
    /// </summary>
    private const string DropUserObjectsSql = """
        SET search_path = pg_catalog;
        DO $bf_restore$
        DECLARE
            item record;
        BEGIN
            FOR item IN
                SELECT format('%I', n.nspname) AS name
                FROM pg_catalog.pg_namespace n
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public')
                  AND n.nspname NOT LIKE 'pg\_toast%'
                  AND n.nspname NOT LIKE 'pg\_temp\_%'
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')
            LOOP
                EXECUTE 'DROP SCHEMA IF EXISTS ' || item.name || ' CASCADE';
            END LOOP;

            -- Tables first: what depends on them (views, owned and identity sequences) goes with them.
            FOR item IN
                SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                      WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
                       format('public.%I', c.relname) AS name
                FROM pg_catalog.pg_class c
                WHERE c.relnamespace = 'public'::regnamespace
                  AND c.relkind IN ('r', 'p', 'f', 'm', 'v', 'S')
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
                ORDER BY CASE c.relkind WHEN 'p' THEN 0 WHEN 'r' THEN 1 WHEN 'f' THEN 1 WHEN 'm' THEN 2 WHEN 'v' THEN 3 ELSE 4 END
            LOOP
                EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
            END LOOP;

            FOR item IN
                SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END AS kind, p.oid::regprocedure::text AS name
                FROM pg_catalog.pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
                ORDER BY p.prokind = 'a' DESC
            LOOP
                EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
            END LOOP;

            FOR item IN
                SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS kind, format('public.%I', t.typname) AS name
                FROM pg_catalog.pg_type t
                WHERE t.typnamespace = 'public'::regnamespace
                  AND t.typtype IN ('c', 'd', 'e', 'r')
                  AND (t.typtype <> 'c' OR EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
                  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                                  WHERE d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
            LOOP
                EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
            END LOOP;

            PERFORM pg_catalog.lo_unlink(l.oid) FROM pg_catalog.pg_largeobject_metadata l;
        END
        $bf_restore$;
        """;

    private readonly PostgresToolsOptions _options;

    public PostgresInPlaceRestorer(PostgresToolsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Replaces the whole content of the user schemas of <paramref name="target"/> by the dump, atomically, and returns
    /// what the database holds afterwards (every user table with its exact row count, to compare with the backup's).
    /// </summary>
    /// <param name="target">The live database, connected as a role that owns its objects (a superuser is not needed).</param>
    /// <param name="dump">The custom-format dump, already proven; read to its end before anything is committed.</param>
    /// <param name="lockTimeout">How long the restore waits for each lock another session holds before it fails and rolls back.</param>
    /// <exception cref="PostgresToolException">pg_restore or psql failed (a lock timeout included); nothing was committed.</exception>
    /// <remarks>
    /// Cancellation kills both tools; the server then rolls the transaction back. Exceptions thrown by
    /// <paramref name="dump"/> propagate unchanged, also with nothing committed.
    /// </remarks>
    public async Task<DatabaseSourceInfo> RestoreAsync(
        PostgresConnectionInfo target, Stream dump, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dump);
        CheckLockTimeout(lockTimeout);

        await RunAsync(target, dump, FullPrelude(lockTimeout), epilogueSql: "", [], cancellationToken);
        return await new PostgresDumper(_options).DescribeAsync(target, cancellationToken);
    }

    /// <summary>
    /// Replaces only <paramref name="tables"/> (definition, data, indexes, constraints, own foreign keys, triggers,
    /// owned sequences, comments, grants) by their state in the dump, atomically; every other object stays as it is.
    /// Foreign keys of other tables that reference a restored table are dropped and added again from their live
    /// definition, so they are checked against the restored rows (a violation fails the restore). A view or another
    /// object that depends on a restored table fails the restore (nothing is changed): it would have to be dropped.
    /// </summary>
    /// <param name="openDump">Opens the dump (already proven); called twice: once for its table of contents, once to restore.</param>
    /// <param name="tables">Schema-qualified names as the manifest writes them (<c>public.posts</c>, <c>"My Schema"."Table"</c>).</param>
    /// <returns>What the database holds afterwards (all user tables with their row counts).</returns>
    /// <exception cref="PostgresToolException">A table is not in the dump, or pg_restore or psql failed; nothing was committed.</exception>
    public async Task<DatabaseSourceInfo> RestoreTablesAsync(
        PostgresConnectionInfo target,
        Func<CancellationToken, Task<Stream>> openDump,
        IReadOnlyList<string> tables,
        TimeSpan lockTimeout,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(openDump);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentOutOfRangeException.ThrowIfZero(tables.Count);
        CheckLockTimeout(lockTimeout);
        var names = tables.Select(ParseTableName).Distinct().ToList();

        List<string> toc;
        await using (var dump = await openDump(cancellationToken))
            toc = await ListAsync(dump, cancellationToken);
        var listFile = Path.Combine(Path.GetTempPath(), "bf-restore-" + Guid.NewGuid().ToString("N") + ".list");
        try
        {
            await File.WriteAllLinesAsync(listFile, DumpTableSelection.Select(toc, names), cancellationToken);
            await using var dump = await openDump(cancellationToken);
            await RunAsync(target, dump, SelectivePrelude(lockTimeout, names), SelectiveEpilogue, ["--use-list=" + listFile], cancellationToken);
        }
        finally
        {
            File.Delete(listFile);
        }
        return await new PostgresDumper(_options).DescribeAsync(target, cancellationToken);
    }

    private async Task RunAsync(
        PostgresConnectionInfo target, Stream dump, string preludeSql, string epilogueSql, string[] selection, CancellationToken cancellationToken)
    {
        var prelude = Encoding.UTF8.GetBytes(preludeSql);
        var epilogue = Encoding.UTF8.GetBytes(epilogueSql);
        var psql = PostgresProcess.ToolPath(_options, "psql");
        string[] arguments = ["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--file=-", .. PostgresProcess.ConnectionArguments(target)];
        var outcome = await PostgresProcess.RunAsync(
            psql,
            arguments,
            target,
            redirectStdin: true,
            redirectStdout: true,
            async (process, ct) =>
            {
                // psql echoes the results of the dump's SELECTs (setval, lo_create); nobody needs them.
                var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, ct);
                var sql = process.StandardInput.BaseStream;
                try
                {
                    await WriteToPsqlAsync(sql, prelude, ct);
                    var tail = await ConvertAsync(dump, sql, selection, ct);
                    var commit = tail.AsSpan().LastIndexOf("\nCOMMIT;\n"u8);
                    if (commit < 0)
                        throw new PostgresToolException("pg_restore's output ends without COMMIT; nothing was committed");
                    // The epilogue runs last inside the transaction, after the dump's own statements.
                    await WriteToPsqlAsync(sql, tail.AsMemory(0, commit + 1), ct);
                    await WriteToPsqlAsync(sql, epilogue, ct);
                    await WriteToPsqlAsync(sql, tail.AsMemory(commit + 1), ct);
                }
                catch (PsqlStoppedException)
                {
                    // psql failed (its stderr and exit code say why, below) and closed its input.
                }
                finally
                {
                    try
                    {
                        process.StandardInput.Close();
                    }
                    catch (IOException)
                    {
                        // psql is gone already; its exit code tells the story.
                    }
                }
                await drain;
            },
            cancellationToken);
        if (outcome.ExitCode != 0)
            throw new PostgresToolException($"the restore into {target} was rolled back: psql failed (exit {outcome.ExitCode}): {outcome.Stderr}");
    }

    /// <summary>
    /// True when the database has no user table (the API refuses to restore over a non-empty database unless told
    /// to overwrite it). One catalog query; the rows themselves are not looked at.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Instance member of the public contract.")]
    public async Task<bool> IsEmptyAsync(PostgresConnectionInfo target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var connection = await PostgresConnections.OpenAsync(target, null, cancellationToken);
        await using var command = new NpgsqlCommand(UserTablesExistSql, connection);
        return !(bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// The views (plain and materialized) that read any of <paramref name="tables"/> in the live database, each as
    /// "view v reads table t". A selective restore drops and recreates its tables, which PostgreSQL refuses while a
    /// view depends on one; recreating the views ourselves would have to carry their options, owners, grants,
    /// comments, INSTEAD OF triggers and a materialized view's indexes and data, so the restore refuses up front instead.
    /// </summary>
    /// <param name="tables">Schema-qualified names as the manifest writes them (<c>public.posts</c>).</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Instance member of the public contract.")]
    public async Task<IReadOnlyList<string>> ViewsReadingAsync(
        PostgresConnectionInfo target, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(tables);
        var names = tables.Select(ParseTableName).Select(Qualified).Distinct().ToArray();
        await using var connection = await PostgresConnections.OpenAsync(target, null, cancellationToken);
        await using var command = new NpgsqlCommand(ViewsReadingSql, connection);
        command.Parameters.AddWithValue("tables", names);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            found.Add($"{(reader.GetString(2) == "m" ? "materialized view" : "view")} {reader.GetString(0)} reads table {reader.GetString(1)}");
        return found;
    }

    private const string ViewsReadingSql = """
        SELECT DISTINCT format('%I.%I', vn.nspname, v.relname), format('%I.%I', tn.nspname, t.relname), v.relkind::text
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_rewrite r ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
        JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
        JOIN pg_catalog.pg_namespace vn ON vn.oid = v.relnamespace
        JOIN pg_catalog.pg_class t ON t.oid = d.refobjid
        JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
        WHERE d.refclassid = 'pg_catalog.pg_class'::regclass
          AND d.refobjid IN (SELECT pg_catalog.to_regclass(n) FROM unnest(@tables::text[]) AS n)
          AND r.ev_class <> d.refobjid
        ORDER BY 1, 2
        """;

    private static void CheckLockTimeout(TimeSpan lockTimeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lockTimeout, TimeSpan.FromMilliseconds(1));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lockTimeout, TimeSpan.FromMilliseconds(int.MaxValue));
    }

    private static string FullPrelude(TimeSpan lockTimeout) => TransactionStart(lockTimeout) + DropUserObjectsSql + "\n";

    /// <summary>
    /// Remembers and drops the foreign keys of other tables that reference the restored ones (the epilogue adds them
    /// again), then drops the restored tables without CASCADE, so nothing else can go with them.
    /// </summary>
    private static string SelectivePrelude(TimeSpan lockTimeout, IReadOnlyList<(string Schema, string Name)> tables)
    {
        var regclasses = string.Join(", ", tables.Select(t => "pg_catalog.to_regclass(" + Literal(Qualified(t)) + ")"));
        return TransactionStart(lockTimeout)
            + "SET search_path = pg_catalog;\n"
            + "CREATE TEMPORARY TABLE bf_restore_foreign_keys ON COMMIT DROP AS\n"
            + "  SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname) AS drop_statement,\n"
            + "         format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname, pg_catalog.pg_get_constraintdef(c.oid)) AS add_statement\n"
            + "  FROM pg_catalog.pg_constraint c\n"
            + "  WHERE c.contype = 'f' AND c.confrelid = ANY (ARRAY[" + regclasses + "]::oid[])\n"
            + "    AND (c.conrelid <> ALL (ARRAY[" + regclasses + "]::oid[])) IS NOT FALSE;\n"
            + "DO $bf_restore$ DECLARE s text; BEGIN\n"
            + "  FOR s IN SELECT drop_statement FROM pg_temp.bf_restore_foreign_keys LOOP EXECUTE s; END LOOP;\n"
            + "END $bf_restore$;\n"
            + "DROP TABLE IF EXISTS " + string.Join(", ", tables.Select(Qualified)) + ";\n";
    }

    private const string SelectiveEpilogue = """
        DO $bf_restore$ DECLARE s text; BEGIN
          FOR s IN SELECT add_statement FROM pg_temp.bf_restore_foreign_keys LOOP EXECUTE s; END LOOP;
        END $bf_restore$;

        """;

    private static string TransactionStart(TimeSpan lockTimeout)
    {
        var milliseconds = ((long)Math.Ceiling(lockTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        // client_connection_check_interval: a backend busy with a long statement (an index build) notices within a
        // second that a killed psql is gone and rolls back, instead of keeping its locks until the statement ends.
        // client_min_messages: the dump's own BEGIN only warns that the transaction is already open.
        return "BEGIN;\n"
            + "SET lock_timeout = " + milliseconds + ";\n"
            + "SET client_connection_check_interval = 1000;\n"
            + "SET client_min_messages = error;\n";
    }

    private static string Qualified((string Schema, string Name) table) =>
        PostgresConnections.QuoteIdentifier(table.Schema) + "." + PostgresConnections.QuoteIdentifier(table.Name);

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Splits a schema-qualified name as <c>format('%I.%I')</c> writes it (the manifest's form) into its two
    /// identifiers: each bare (taken as it is) or double-quoted with doubled inner quotes.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not exactly two identifiers separated by a dot.</exception>
    internal static (string Schema, string Name) ParseTableName(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var parts = new List<string>();
        var i = 0;
        while (true)
        {
            var part = new StringBuilder();
            if (i < table.Length && table[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= table.Length)
                        throw new ArgumentException($"'{table}' has an unclosed quote.", nameof(table));
                    if (table[i] == '"')
                    {
                        if (i + 1 < table.Length && table[i + 1] == '"')
                        {
                            part.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    part.Append(table[i++]);
                }
            }
            else
            {
                while (i < table.Length && table[i] != '.' && table[i] != '"')
                    part.Append(table[i++]);
            }
            if (part.Length == 0)
                throw new ArgumentException($"'{table}' is not a schema-qualified table name (schema.table).", nameof(table));
            parts.Add(part.ToString());
            if (i == table.Length)
                break;
            if (table[i] != '.')
                throw new ArgumentException($"'{table}' is not a schema-qualified table name (schema.table).", nameof(table));
            i++;
        }
        if (parts.Count != 2)
            throw new ArgumentException($"'{table}' is not a schema-qualified table name (schema.table).", nameof(table));
        return (parts[0], parts[1]);
    }

    private async Task<List<string>> ListAsync(Stream dump, CancellationToken cancellationToken)
    {
        var tool = PostgresProcess.ToolPath(_options, "pg_restore");
        var lines = new List<string>();
        var outcome = await PostgresProcess.RunAsync(
            tool,
            ["--list", "--verbose"],
            connection: null,
            redirectStdin: true,
            redirectStdout: true,
            async (process, ct) =>
            {
                var read = Task.Run(async () =>
                {
                    while (await process.StandardOutput.ReadLineAsync(ct) is { } line)
                        lines.Add(line);
                }, ct);
                // pg_restore --list stops reading after the table of contents; the data is not needed here.
                await PostgresProcess.FeedStdinAsync(process, dump, ct);
                await read;
            },
            cancellationToken);
        if (outcome.ExitCode != 0)
            throw new PostgresToolException($"pg_restore --list failed (exit {outcome.ExitCode}): {outcome.Stderr}");
        return lines;
    }

    /// <summary>
    /// Runs pg_restore over the dump and forwards its SQL to psql, all but the last <see cref="HeldBackBytes"/>;
    /// returns those once pg_restore exited 0 and the dump was read to its end.
    /// </summary>
    private async Task<byte[]> ConvertAsync(Stream dump, Stream sql, string[] selection, CancellationToken cancellationToken)
    {
        var tool = PostgresProcess.ToolPath(_options, "pg_restore");
        byte[] tail = [];
        var fedCompletely = true;
        var outcome = await PostgresProcess.RunAsync(
            tool,
            ["--single-transaction", "--file=-", .. selection],
            connection: null,
            redirectStdin: true,
            redirectStdout: true,
            async (process, ct) =>
            {
                var forward = ForwardHoldingBackAsync(process.StandardOutput.BaseStream, sql, ct);
                var feed = PostgresProcess.FeedStdinAsync(process, dump, ct);
                // Whichever side fails first ends both (RunAsync kills pg_restore): waiting for the other could block.
                var first = await Task.WhenAny(forward, feed);
                await first;
                tail = await forward;
                fedCompletely = await feed;
            },
            cancellationToken);
        if (outcome.ExitCode != 0)
            throw new PostgresToolException($"pg_restore failed (exit {outcome.ExitCode}): {outcome.Stderr}");
        // pg_restore succeeded without reading the last bytes; read them anyway so that a verifying stream still
        // checks the end of the dump before the COMMIT reaches psql.
        if (!fedCompletely)
            await dump.CopyToAsync(Stream.Null, cancellationToken);
        return tail;
    }

    private static async Task<byte[]> ForwardHoldingBackAsync(Stream from, Stream to, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize + HeldBackBytes);
        try
        {
            var pending = 0;
            int read;
            while ((read = await from.ReadAsync(buffer.AsMemory(pending, CopyBufferSize), cancellationToken)) > 0)
            {
                pending += read;
                if (pending <= HeldBackBytes)
                    continue;
                var ready = pending - HeldBackBytes;
                await WriteToPsqlAsync(to, buffer.AsMemory(0, ready), cancellationToken);
                buffer.AsSpan(ready, HeldBackBytes).CopyTo(buffer);
                pending = HeldBackBytes;
            }

            return buffer.AsSpan(0, pending).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task WriteToPsqlAsync(Stream sql, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        try
        {
            await sql.WriteAsync(bytes, cancellationToken);
        }
        catch (IOException ex)
        {
            throw new PsqlStoppedException(ex);
        }
    }

    /// <summary>psql stopped reading its input: it failed, and its exit code and stderr say why.</summary>
    private sealed class PsqlStoppedException(IOException inner) : Exception("psql stopped reading", inner);
}
