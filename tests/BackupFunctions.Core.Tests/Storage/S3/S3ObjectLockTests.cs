using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>S3 Object Lock against Ceph RGW for real: a locked object cannot be deleted, and GetInfo tells until when.</summary>
public sealed class S3ObjectLockTests(CephRgwObjectLockBucket bucket) : IClassFixture<CephRgwObjectLockBucket>
{
    private const int MiB = 1024 * 1024;

    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    private readonly DateTimeOffset _until = DateTimeOffset.UtcNow.AddHours(1);

    [Theory]
    [InlineData(100)]             // a single PutObject
    [InlineData(9 * MiB)]         // a multipart upload
    public async Task A_locked_object_refuses_deletion_with_kind_Locked_and_tells_until_when(int size)
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { ObjectLockMode = S3ObjectLockMode.Governance },
            name => name.StartsWith("locked/", StringComparison.Ordinal) ? _until : null);
        var name = $"locked/{size}";
        await using (var source = new GeneratedStream(size))
            await store.PutAsync(name, source, _ct);

        var info = await store.GetInfoAsync(name, _ct);
        var e = await Assert.ThrowsAsync<StoreException>(() => store.DeleteAsync(name, _ct));

        Assert.NotNull(info);
        // Stored to the millisecond (AWS: to the second).
        Assert.InRange(info.LockedUntil!.Value, _until.AddSeconds(-1), _until.AddSeconds(1));
        Assert.Equal(StoreFailureKind.Locked, e.Kind);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        Assert.Contains("locked until", e.Message, StringComparison.Ordinal);
        Assert.Equal(GeneratedStream.Sha256Of(size), await Sha256Async(store, name));
        var head = await bucket.Admin.GetObjectMetadataAsync(bucket.Name, name);
        Assert.Equal(Amazon.S3.ObjectLockMode.Governance, head.ObjectLockMode);
    }

    [Fact]
    public async Task Compliance_mode_is_sent_as_such()
    {
        // A COMPLIANCE lock cannot be lifted, not even to clean up: keep it to a few seconds.
        var until = DateTimeOffset.UtcNow.AddSeconds(3);
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { ObjectLockMode = S3ObjectLockMode.Compliance }, _ => until);
        await store.PutAsync("compliance/x", new MemoryStream([1]), _ct);

        var head = await bucket.Admin.GetObjectMetadataAsync(bucket.Name, "compliance/x");

        Assert.Equal(Amazon.S3.ObjectLockMode.Compliance, head.ObjectLockMode);
        await Task.Delay(until - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5), _ct);
        // Expired: no longer reported as locked, and deletable.
        Assert.Null((await store.GetInfoAsync("compliance/x", _ct))!.LockedUntil);
        await store.DeleteAsync("compliance/x", _ct);
        Assert.Null(await store.GetInfoAsync("compliance/x", _ct));
    }

    [Fact]
    public async Task Deleting_removes_every_version_so_no_data_stays_behind_a_delete_marker()
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { ObjectLockMode = S3ObjectLockMode.Governance }, _ => null);
        await store.PutAsync("versions/x", new MemoryStream([1]), _ct);
        await store.PutAsync("versions/x", new MemoryStream([2, 2]), _ct);
        await store.PutAsync("versions/x2", new MemoryStream([3]), _ct);

        await store.DeleteAsync("versions/x", _ct);

        var versions = await bucket.Admin.ListVersionsAsync(new Amazon.S3.Model.ListVersionsRequest { BucketName = bucket.Name, Prefix = "versions/" });
        Assert.Equal(["versions/x2"], (versions.Versions ?? []).Select(v => v.Key));
    }

    [Fact]
    public async Task An_unlocked_object_reports_no_lock()
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { ObjectLockMode = S3ObjectLockMode.Governance }, _ => null);
        await store.PutAsync("free/x", new MemoryStream([1]), _ct);

        Assert.Null((await store.GetInfoAsync("free/x", _ct))!.LockedUntil);
    }

    private async Task<byte[]> Sha256Async(IBackupStore store, string name)
    {
        await using var stream = await store.OpenReadAsync(name, _ct);
        return await System.Security.Cryptography.SHA256.HashDataAsync(stream, _ct);
    }
}
