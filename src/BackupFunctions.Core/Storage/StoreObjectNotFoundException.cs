namespace BackupFunctions.Core.Storage;

/// <summary>The named object does not exist in the destination.</summary>
public class StoreObjectNotFoundException : StoreException
{
    public StoreObjectNotFoundException() { }
    public StoreObjectNotFoundException(string message) : base(message) { }
    public StoreObjectNotFoundException(string message, Exception innerException) : base(message, innerException) { }
}
