namespace BackupFunctions.Core.Storage;

/// <summary>What a destination says about one stored object.</summary>
public sealed record StoredObjectInfo(string Name, long Size, DateTimeOffset LastModified)
{
    /// <summary>
    /// Until when an immutability lock (S3 Object Lock retain-until, Azure version-level immutability) forbids
    /// deleting or replacing the object; null when it is not locked or the destination cannot tell.
    /// </summary>
    public DateTimeOffset? LockedUntil { get; init; }
}
