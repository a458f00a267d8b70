using Amazon.S3;
using Amazon.S3.Model;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>
/// A bucket of its own in the Ceph RADOS Gateway for one test class, emptied and deleted when the class is done.
/// The store never creates buckets, so the fixture does.
/// </summary>
public class CephRgwBucket : IAsyncLifetime
{
    public CephRgwBucket() : this(objectLock: false)
    {
    }

    protected CephRgwBucket(bool objectLock) => ObjectLock = objectLock;

    public string Name { get; } = TestEnvironment.UniqueName("bfs3-");

    /// <summary>Whether the bucket was created with Object Lock enabled (and so versioning).</summary>
    public bool ObjectLock { get; }

    public AmazonS3Client Admin { get; } = CephRgw.AdminClient();

    public async Task InitializeAsync() =>
        await Admin.PutBucketAsync(new PutBucketRequest { BucketName = Name, ObjectLockEnabledForBucket = ObjectLock ? true : null });

    public async Task DisposeAsync()
    {
        // Every version, locked (GOVERNANCE) ones included: the tests lock only in that mode.
        var request = new ListVersionsRequest { BucketName = Name };
        while (true)
        {
            var page = await Admin.ListVersionsAsync(request);
            foreach (var version in page.Versions ?? [])
            {
                await Admin.DeleteObjectAsync(new DeleteObjectRequest
                {
                    BucketName = Name, Key = version.Key, VersionId = version.VersionId, BypassGovernanceRetention = ObjectLock ? true : null,
                });
            }
            if (page.IsTruncated != true)
                break;
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
        var uploads = await Admin.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name });
        foreach (var upload in uploads.MultipartUploads ?? [])
            await Admin.AbortMultipartUploadAsync(Name, upload.Key, upload.UploadId);
        await Admin.DeleteBucketAsync(Name);
        Admin.Dispose();
    }
}
