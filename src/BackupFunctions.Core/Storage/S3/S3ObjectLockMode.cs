namespace BackupFunctions.Core.Storage.S3;

/// <summary>Whether and how an <see cref="S3Store"/> puts its objects under S3 Object Lock.</summary>
public enum S3ObjectLockMode
{
    /// <summary>No lock headers are sent; deletes are plain deletes.</summary>
    Off,

    /// <summary>GOVERNANCE: a user with s3:BypassGovernanceRetention can still remove the lock.</summary>
    Governance,

    /// <summary>COMPLIANCE: nobody, not even the root account, can delete the object before its retain-until date.</summary>
    Compliance,
}
