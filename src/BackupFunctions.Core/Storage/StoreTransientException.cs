namespace BackupFunctions.Core.Storage;

/// <summary>A destination failed in a way that may succeed when retried (network, throttling, 5xx).</summary>
public class StoreTransientException : StoreException
{
    public StoreTransientException() { }
    public StoreTransientException(string message) : base(message) { }
    public StoreTransientException(string message, Exception innerException) : base(message, innerException) { }
}
