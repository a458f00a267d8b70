namespace BackupFunctions.Core.Storage;

/// <summary>A destination failed in a way that may succeed when retried (network, throttling, 5xx).</summary>
public class StoreTransientException : StoreException
{
    public StoreTransientException() => Kind = StoreFailureKind.Network;
    public StoreTransientException(string message) : base(message, StoreFailureKind.Network) { }
    public StoreTransientException(string message, Exception innerException) : base(message, StoreFailureKind.Network, innerException) { }

    public StoreTransientException(string message, StoreFailureKind kind, Exception? innerException = null)
        : base(message, kind, innerException) { }
}
