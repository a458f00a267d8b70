namespace BackupFunctions.Core.Storage;

/// <summary>A destination refused or failed an operation permanently (authentication, permission, quota, bad name).</summary>
public class StoreException : Exception
{
    public StoreException() { }
    public StoreException(string message) : base(message) { }
    public StoreException(string message, Exception innerException) : base(message, innerException) { }

    public StoreException(string message, StoreFailureKind kind, Exception? innerException = null)
        : base(message, innerException) => Kind = kind;

    /// <summary>Why it failed, as far as the destination tells.</summary>
    public StoreFailureKind Kind { get; init; }
}
