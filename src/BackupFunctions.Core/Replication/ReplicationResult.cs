namespace BackupFunctions.Core.Replication;

/// <summary>A copy of a backup made to another destination.</summary>
public sealed record ReplicationResult(int Objects, long Bytes, double Seconds);
