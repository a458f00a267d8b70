using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>The contract against Ceph RGW through the S3 profile; all tests of the class share one bucket, each under its own prefix.</summary>
public sealed class S3StoreContractTests(CephRgwBucket bucket)
    : BackupStoreContractTests, IClassFixture<CephRgwBucket>
{
    protected override IBackupStore Store { get; } = new S3Store(CephRgw.Settings(bucket.Name));
}
