namespace BackupFunctions.Core.Storage;

/// <summary>
/// Ransomware protection for one destination, off by default: every object of a backup is locked (S3 Object Lock
/// retain-until, Azure Blob version-level immutability) for <see cref="Days"/> after it is written, so nobody
/// holding the destination's credentials can delete or overwrite it before then.
/// </summary>
public sealed record ImmutabilityOptions
{
    public bool Enabled { get; init; }

    /// <summary><c>governance</c> (an account with the bypass right can still remove a lock) or <c>compliance</c> (nobody can, not even the account owner).</summary>
    public string Mode { get; init; } = "governance";

    /// <summary>How long each backup stays locked; set it to at least the retention policy's horizon so retention never meets a lock.</summary>
    public int Days { get; init; }
}
