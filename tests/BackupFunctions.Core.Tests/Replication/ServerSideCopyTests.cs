using Azure.Storage.Blobs.Specialized;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Replication;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;
using BackupFunctions.Core.Storage.Wrappers;
using BackupFunctions.Core.Tests.Storage;
using BackupFunctions.Core.Tests.Storage.S3;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Tests.Verification;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Replication;

/// <summary>
/// Replicas in the same Azure account or on the same S3 endpoint are copied by the service (no bytes through the
/// worker), through the wrappers the app puts around every store, and verify like a streamed copy.
/// </summary>
public sealed class ServerSideCopyTests(AzuriteContainer container) : IClassFixture<AzuriteContainer>
{
    [Fact]
    public async Task Between_two_containers_of_one_account_the_service_copies()
    {
        var service = container.Client.GetParentBlobServiceClient();
        var primary = Wrapped(new AzureBlobStore(service.GetBlobContainerClient(TestEnvironment.UniqueName("bfprimary"))));
        var replica = Wrapped(new AzureBlobStore(service.GetBlobContainerClient(TestEnvironment.UniqueName("bfreplica"))));

        await AssertServerSideCopyAsync(primary, replica);
    }

    [Fact]
    public async Task Between_two_buckets_of_one_S3_endpoint_and_key_the_service_copies()
    {
        using var admin = CephRgw.AdminClient();
        var buckets = new[] { TestEnvironment.UniqueName("bfprimary"), TestEnvironment.UniqueName("bfreplica") };
        foreach (var bucket in buckets)
            await admin.PutBucketAsync(bucket);
        using var primaryStore = new S3Store(CephRgw.Settings(buckets[0]));
        using var replicaStore = new S3Store(CephRgw.Settings(buckets[1]));

        await AssertServerSideCopyAsync(Wrapped(primaryStore), Wrapped(replicaStore));
    }

    [Fact]
    public async Task Between_different_kinds_of_store_the_copy_streams()
    {
        var primary = new MemoryBackupStore();
        var replica = Wrapped(new AzureBlobStore(container.Client));
        var manifestSha = await StoredBackupFixture.WriteAsync(primary);

        var result = await BackupReplicator.CopyAsync(primary, StoredBackupFixture.Folder, replica, "streamed/backups/b1/", default);

        Assert.Equal(0, result.ServerSideObjects);
        Assert.True((await new QuickVerifier(TimeProvider.System).VerifyAsync(replica, "streamed/backups/b1/", manifestSha, default)).Ok);
    }

    private static async Task AssertServerSideCopyAsync(IBackupStore primary, IBackupStore replica)
    {
        var manifestSha = await StoredBackupFixture.WriteAsync(primary);

        var result = await BackupReplicator.CopyAsync(primary, StoredBackupFixture.Folder, replica, "copy/backups/b1/", default);

        Assert.Equal(2, result.ServerSideObjects);
        var verification = await new QuickVerifier(TimeProvider.System).VerifyAsync(replica, "copy/backups/b1/", manifestSha, default);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));
        Assert.Equal(3, verification.Objects);
    }

    private static IBackupStore Wrapped(IBackupStore store) =>
        new LoggingBackupStore(new ThrottlingBackupStore(new RetryingBackupStore(store), 4), NullLogger.Instance);
}
