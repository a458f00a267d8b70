namespace BackupFunctions.Core.Storage;

/// <summary>The named object does not exist in the destination.</summary>
public class StoreObjectNotFoundException : StoreException
{
    public StoreObjectNotFoundException() => Kind = StoreFailureKind.ObjectNotFound;
    public StoreObjectNotFoundException(string message) : base(message, StoreFailureKind.ObjectNotFound) { }
    public StoreObjectNotFoundException(string message, Exception innerException) : base(message, StoreFailureKind.ObjectNotFound, innerException) { }
}
