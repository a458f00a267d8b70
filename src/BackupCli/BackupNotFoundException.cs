namespace BackupCli;

/// <summary>The backup named on the command line is not in the destination, or has no manifest. Exit code 1.</summary>
public sealed class BackupNotFoundException : Exception
{
    public BackupNotFoundException() { }
    public BackupNotFoundException(string message) : base(message) { }
    public BackupNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
