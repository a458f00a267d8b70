namespace BackupFunctions.Core.Replication;

/// <summary>A copy of a backup made to another destination.</summary>
/// <param name="ServerSideObjects">How many of the objects the destination service copied itself (no bytes through this process).</param>
public sealed record ReplicationResult(int Objects, long Bytes, double Seconds, int ServerSideObjects = 0);
