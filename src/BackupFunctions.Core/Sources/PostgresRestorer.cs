namespace BackupFunctions.Core.Sources;

/// <summary>Restores a custom-format dump into a new database with pg_restore reading its stdin.</summary>
public sealed class PostgresRestorer
{
    public PostgresRestorer(PostgresToolsOptions options) => throw new NotImplementedException();

    /// <summary>
    /// Creates <paramref name="target"/>.Database (it must not exist: restoring over live data is refused) and restores
    /// the dump into it. On failure the new database is dropped again and <see cref="PostgresToolException"/> is thrown.
    /// </summary>
    public Task RestoreAsync(PostgresConnectionInfo target, Stream dump, CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>True when the database exists on the server.</summary>
    public Task<bool> DatabaseExistsAsync(PostgresConnectionInfo target, CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
