namespace BackupFunctions.Core.Storage;

/// <summary>What a destination says about one stored object.</summary>
public sealed record StoredObjectInfo(string Name, long Size, DateTimeOffset LastModified);
