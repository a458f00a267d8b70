using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>
/// The contract with Object Lock switched on, in an Object Lock (so versioned) bucket: deletes remove every version
/// of a name. The retain-until function leaves these objects unlocked, so the suite can delete them;
/// S3StoreTests locks for real.
/// </summary>
public sealed class S3ObjectLockBucketContractTests(CephRgwObjectLockBucket bucket)
    : BackupStoreContractTests, IClassFixture<CephRgwObjectLockBucket>
{
    protected override IBackupStore Store { get; } =
        new S3Store(CephRgw.Settings(bucket.Name) with { ObjectLockMode = S3ObjectLockMode.Governance }, _ => null);
}
