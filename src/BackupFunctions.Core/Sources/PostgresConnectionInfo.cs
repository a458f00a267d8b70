namespace BackupFunctions.Core.Sources;

/// <summary>
/// Where a PostgreSQL database is. The password is only ever handed to pg_dump/pg_restore through the
/// environment (PGPASSWORD), never on a command line, and <see cref="ToString"/> leaves it out.
/// </summary>
public sealed record PostgresConnectionInfo(string Host, int Port, string Database, string Username, string? Password = null)
{
    public override string ToString() => $"postgres://{Username}@{Host}:{Port}/{Database}";
}
