namespace BackupCli;

/// <summary>The command line asks for something invalid; the message says what and why. Exit code 2.</summary>
public sealed class UsageException : Exception
{
    public UsageException() { }
    public UsageException(string message) : base(message) { }
    public UsageException(string message, Exception innerException) : base(message, innerException) { }
}
