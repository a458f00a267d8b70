namespace BackupFunctions.Core.Replication;

/// <summary>A copy of a backup made to another destination.</summary>
/// <param name="Objects">Objects put, the copied referenced backups' included.</param>
/// <param name="ServerSideObjects">How many of the objects the destination service copied itself (no bytes through this process).</param>
public sealed record ReplicationResult(int Objects, long Bytes, double Seconds, int ServerSideObjects = 0)
{
    /// <summary>
    /// An incremental's referenced backups that the destination lacked (or held incomplete) and that were copied there
    /// whole first, so the copy is restorable on its own; empty otherwise.
    /// </summary>
    public IReadOnlyList<string> CopiedReferences { get; init; } = [];
}
