namespace BackupFunctions.Core.Restores;

/// <summary>How restore jobs run (settings section <c>Restore</c>).</summary>
public sealed class RestoreJobOptions
{
    public const string SectionName = "Restore";

    /// <summary>
    /// Seconds an in-place database restore waits for a lock another session holds (the CMS in a long transaction)
    /// before it fails with nothing changed and the restore rolls back. Default 30.
    /// </summary>
    public double LockTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// Files volumes a restore downloads, decrypts, decompresses and extracts at the same time (1-16). Default 2: each
    /// volume in flight keeps about one core busy (read-ahead task plus extraction) and a few MiB of buffers.
    /// </summary>
    public int MaxParallelVolumes { get; set; } = BackupVolumes.DefaultParallelism;

    /// <summary>Null when valid, else what is wrong (for start-up validation).</summary>
    public string? Validate() =>
        LockTimeoutSeconds is < 0.1 or > 3600 ? "Restore:LockTimeoutSeconds must be 0.1-3600."
        : MaxParallelVolumes is < 1 or > BackupVolumes.MaxParallelism ? $"Restore:MaxParallelVolumes must be 1-{BackupVolumes.MaxParallelism}."
        : null;
}
