namespace BackupFunctions.Core.Sources;

/// <summary>pg_dump, pg_restore or a database command failed; the message carries the tool's own error text.</summary>
public class PostgresToolException : Exception
{
    public PostgresToolException() { }
    public PostgresToolException(string message) : base(message) { }
    public PostgresToolException(string message, Exception innerException) : base(message, innerException) { }
}
