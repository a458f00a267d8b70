namespace BackupFunctions.Core.Tests.Storage;

/// <summary>What a broken source (a dying pg_dump, a vanished file) throws in the middle of a put.</summary>
public sealed class SourceFailedException : IOException
{
    public SourceFailedException() : base("The source failed in the middle of the put.") { }
    public SourceFailedException(string message) : base(message) { }
    public SourceFailedException(string message, Exception innerException) : base(message, innerException) { }
}
