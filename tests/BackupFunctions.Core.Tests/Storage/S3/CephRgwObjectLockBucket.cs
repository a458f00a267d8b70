namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>A bucket created with S3 Object Lock enabled (which makes it versioned).</summary>
public sealed class CephRgwObjectLockBucket : CephRgwBucket
{
    public CephRgwObjectLockBucket() : base(objectLock: true)
    {
    }
}
