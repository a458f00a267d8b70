using Npgsql;

namespace BackupFunctions.Core.Sources;

/// <summary>Restores a custom-format dump into a new database with pg_restore reading its stdin.</summary>
public sealed class PostgresRestorer
{
    /// <summary>Where CREATE and DROP DATABASE run: a database other than the one being created.</summary>
    private const string MaintenanceDatabase = "postgres";

    private const string DuplicateDatabase = "42P04";

    private readonly PostgresToolsOptions _options;

    public PostgresRestorer(PostgresToolsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>
    /// Creates <paramref name="target"/>.Database (it must not exist: restoring over live data is refused) and restores
    /// the dump into it. On failure the new database is dropped again and <see cref="PostgresToolException"/> is thrown.
    /// Exceptions thrown by <paramref name="dump"/> itself (e.g. an integrity failure while decrypting) and cancellation
    /// propagate unchanged, also after dropping the new database.
    /// </summary>
    public async Task RestoreAsync(PostgresConnectionInfo target, Stream dump, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(dump);

        await CreateAsync(target, cancellationToken);

        try
        {
            await RunRestoreAsync(target, dump, cancellationToken);
        }
        catch (Exception ex)
        {
            try
            {
                await DropAsync(target);
            }
            catch (Exception dropError) when (dropError is NpgsqlException or PostgresToolException)
            {
                throw new PostgresToolException(
                    $"{ex.Message} (and the new database {target.Database} could not be dropped: {dropError.Message})", ex);
            }

            throw;
        }
    }

    /// <summary>
    /// Creates <paramref name="target"/>.Database empty (from template0) for a restore into it; it must not exist.
    /// </summary>
    /// <exception cref="PostgresToolException">It exists already or cannot be created.</exception>
    public async Task CreateAsync(PostgresConnectionInfo target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        var alreadyExists = new PostgresToolException($"database {target.Database} already exists; restore into a new database");
        if (await DatabaseExistsAsync(target, cancellationToken))
            throw alreadyExists;

        await using (var maintenance = await PostgresConnections.OpenAsync(target, MaintenanceDatabase, cancellationToken))
        {
            // template0: whatever was added to template1 (extensions, tables) would collide with the dump's objects.
#pragma warning disable CA2100 // the identifier is quoted
            await using var create = new NpgsqlCommand(
                $"CREATE DATABASE {PostgresConnections.QuoteIdentifier(target.Database)} TEMPLATE template0", maintenance);
#pragma warning restore CA2100
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState == DuplicateDatabase)
            {
                throw alreadyExists;
            }
            catch (PostgresException ex)
            {
                throw new PostgresToolException($"cannot create database {target.Database}: {ex.MessageText}", ex);
            }
        }
    }

    /// <summary>
    /// Reads a custom-format dump with <c>pg_restore --list</c> (no server involved) to prove that pg_restore can parse
    /// it. Reads <paramref name="dump"/> to its end. Throws <see cref="PostgresToolException"/> when pg_restore rejects
    /// the dump or cannot be started.
    /// </summary>
    public async Task CheckDumpAsync(Stream dump, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dump);
        var tool = PostgresProcess.ToolPath(_options, "pg_restore");
        var fedCompletely = true;
        var outcome = await PostgresProcess.RunAsync(
            tool,
            ["--list"],
            connection: null,
            redirectStdin: true,
            redirectStdout: true,
            async (process, ct) =>
            {
                // The table of contents is not needed, only pg_restore's verdict; drain it so the tool never blocks.
                var drain = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, ct);
                fedCompletely = await PostgresProcess.FeedStdinAsync(process, dump, ct);
                await drain;
            },
            cancellationToken);
        if (outcome.ExitCode != 0)
            throw new PostgresToolException($"pg_restore --list failed (exit {outcome.ExitCode}): {outcome.Stderr}");
        if (!fedCompletely)
            await dump.CopyToAsync(Stream.Null, cancellationToken);
    }

    /// <summary>True when the database exists on the server.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Instance member of the public contract.")]
    public async Task<bool> DatabaseExistsAsync(PostgresConnectionInfo target, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await using var connection = await PostgresConnections.OpenAsync(target, MaintenanceDatabase, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = target.Database });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task RunRestoreAsync(PostgresConnectionInfo target, Stream dump, CancellationToken cancellationToken)
    {
        var tool = PostgresProcess.ToolPath(_options, "pg_restore");
        string[] arguments = ["--no-owner", "--no-privileges", "--exit-on-error", .. PostgresProcess.ConnectionArguments(target)];
        var fedCompletely = true;
        var outcome = await PostgresProcess.RunAsync(
            tool,
            arguments,
            target,
            redirectStdin: true,
            redirectStdout: false,
            async (process, ct) => fedCompletely = await PostgresProcess.FeedStdinAsync(process, dump, ct),
            cancellationToken);
        if (outcome.ExitCode != 0)
            throw new PostgresToolException($"pg_restore failed (exit {outcome.ExitCode}): {outcome.Stderr}");

        // pg_restore succeeded without reading the last bytes; read them anyway so that a verifying (decrypting)
        // stream still checks the end of the dump.
        if (!fedCompletely)
            await dump.CopyToAsync(Stream.Null, cancellationToken);
    }

    /// <summary>Drops <paramref name="target"/>.Database (FORCE: its sessions end) if it exists; not cancellable, as the clean-up after a failure.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Instance member of the public contract.")]
    public async Task DropAsync(PostgresConnectionInfo target)
    {
        ArgumentNullException.ThrowIfNull(target);
        // Not cancellable: this is the clean-up after a failure or a cancellation.
        await using var maintenance = await PostgresConnections.OpenAsync(target, MaintenanceDatabase, CancellationToken.None);
#pragma warning disable CA2100 // the identifier is quoted
        await using var drop = new NpgsqlCommand(
            $"DROP DATABASE IF EXISTS {PostgresConnections.QuoteIdentifier(target.Database)} WITH (FORCE)", maintenance);
#pragma warning restore CA2100
        await drop.ExecuteNonQueryAsync(CancellationToken.None);
    }
}
