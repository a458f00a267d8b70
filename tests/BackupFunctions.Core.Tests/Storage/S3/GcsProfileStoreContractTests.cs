using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>
/// The contract through the Google Cloud Storage profile (XML API: whole, unchunked bodies; region "auto"), against
/// Ceph RGW, which speaks the same S3-style XML protocol.
/// </summary>
public sealed class GcsProfileStoreContractTests(CephRgwBucket bucket)
    : BackupStoreContractTests, IClassFixture<CephRgwBucket>
{
    protected override IBackupStore Store { get; } = S3Store.ForGcs(CephRgw.GcsSettings(bucket.Name));
}
