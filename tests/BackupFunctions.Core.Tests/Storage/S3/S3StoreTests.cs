using System.Text;
using Amazon.S3.Model;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Storage.S3;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage.S3;

/// <summary>How S3 failures reach the caller (the retry decision of every activity depends on it), and the S3 specials.</summary>
public sealed class S3StoreTests(CephRgwBucket bucket) : IClassFixture<CephRgwBucket>
{
    private const int MiB = 1024 * 1024;

    private readonly CancellationToken _ct = new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    [Fact]
    public async Task A_wrong_secret_is_an_authentication_failure_naming_operation_object_and_status_without_the_secret()
    {
        var good = new S3Store(CephRgw.Settings(bucket.Name));
        await good.PutAsync("auth/x", new MemoryStream([1]), _ct);
        const string wrongSecret = "WRONGSECRETWRONGSECRET";
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { SecretAccessKey = wrongSecret });

        var info = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("auth/x", _ct));
        var read = await Assert.ThrowsAsync<StoreException>(() => store.OpenReadAsync("auth/x", _ct));
        var put = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("auth/y", new MemoryStream([1]), _ct));
        var bigPut = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("auth/z", new GeneratedStream(9 * MiB), _ct));
        var delete = await Assert.ThrowsAsync<StoreException>(() => store.DeleteAsync("auth/x", _ct));
        var list = await Assert.ThrowsAsync<StoreException>(() => ListAsync(store, "auth/"));

        foreach (var e in new[] { info, read, put, bigPut, delete, list })
        {
            Assert.Equal(StoreFailureKind.Authentication, e.Kind);
            Assert.IsNotType<StoreTransientException>(e);
            Assert.Contains("403 SignatureDoesNotMatch", e.Message, StringComparison.Ordinal);
            Assert.Contains(bucket.Name, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(wrongSecret, e.Message, StringComparison.Ordinal);
        }
        Assert.Contains("get info 'auth/x'", info.Message, StringComparison.Ordinal);
        Assert.Contains("read 'auth/x'", read.Message, StringComparison.Ordinal);
        Assert.Contains("put 'auth/y'", put.Message, StringComparison.Ordinal);
        Assert.Contains("list 'auth/'", list.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await good.GetInfoAsync("auth/x", _ct))!.Size);
    }

    [Fact]
    public async Task An_unknown_access_key_is_an_authentication_failure()
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { AccessKeyId = "NOSUCHKEY" });

        var info = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("x", _ct));
        var put = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("x", new MemoryStream([1]), _ct));

        Assert.Equal(StoreFailureKind.Authentication, info.Kind);
        Assert.Equal(StoreFailureKind.Authentication, put.Kind);
        Assert.Contains("InvalidAccessKeyId", put.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_users_bucket_is_a_permission_failure()
    {
        await new S3Store(CephRgw.Settings(bucket.Name)).PutAsync("perm/x", new MemoryStream([1]), _ct);
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { AccessKeyId = CephRgw.OtherAccessKey, SecretAccessKey = CephRgw.OtherSecretKey });

        var info = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("perm/x", _ct));
        var read = await Assert.ThrowsAsync<StoreException>(() => store.OpenReadAsync("perm/x", _ct));
        var put = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("perm/y", new MemoryStream([1]), _ct));
        var list = await Assert.ThrowsAsync<StoreException>(() => ListAsync(store, ""));

        foreach (var e in new[] { info, read, put, list })
        {
            Assert.True(e.Kind == StoreFailureKind.Permission, $"{e.Kind}: {e.Message} ({e.InnerException?.GetType().Name}: {e.InnerException?.Message})");
            Assert.Contains("403", e.Message, StringComparison.Ordinal);
        }
        Assert.Contains("AccessDenied", info.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(9 * MiB + 1)] // a multipart put whose last part is one byte
    public async Task A_refused_put_leaves_the_connection_fit_for_the_next_request(int size)
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { AccessKeyId = CephRgw.OtherAccessKey, SecretAccessKey = CephRgw.OtherSecretKey });
        await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("conn/x", _ct));

        // .NET sends a body of up to 1 KiB even when the server refused the request before asking for it (100 Continue);
        // Ceph RGW, not expecting it, read it as the next request on the connection: a 400 without an error code, most
        // times when that request followed at once (the S3 permission test failed so on CI).
        for (var i = 0; i < 10; i++)
        {
            var put = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("conn/y", new GeneratedStream(size), _ct));
            var next = await Assert.ThrowsAsync<StoreException>(() => store.GetInfoAsync("conn/x", _ct));

            Assert.Equal(StoreFailureKind.Permission, put.Kind);
            Assert.True(next.Kind == StoreFailureKind.Permission, $"{next.Kind}: {next.Message}");
        }
    }

    [Fact]
    public async Task A_missing_bucket_reads_as_empty_and_fails_a_put_naming_the_bucket()
    {
        var missing = TestEnvironment.UniqueName("bfnone-");
        var store = new S3Store(CephRgw.Settings(missing));

        Assert.Null(await store.GetInfoAsync("x", _ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadAsync("x", _ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadRangeAsync("x", 0, 5, _ct));
        await store.DeleteAsync("x", _ct);
        Assert.Empty(await ListAsync(store, ""));

        var small = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("x", new MemoryStream([1]), _ct));
        var large = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("x", new GeneratedStream(9 * MiB), _ct));
        foreach (var e in new[] { small, large })
        {
            Assert.Equal(StoreFailureKind.ContainerNotFound, e.Kind);
            Assert.Contains(missing, e.Message, StringComparison.Ordinal);
        }
        // The store does not create buckets (an Object Lock bucket must be created with the lock).
        Assert.DoesNotContain((await bucket.Admin.ListBucketsAsync()).Buckets ?? [], b => b.BucketName == missing);
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_network_failure()
    {
        // Port 9 (discard) is closed on the test machine: connection refused, as when the server is down.
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { Endpoint = "http://127.0.0.1:9", ConnectTimeout = TimeSpan.FromSeconds(2) });

        var failures = new[]
        {
            await Assert.ThrowsAsync<StoreTransientException>(() => store.GetInfoAsync("x", _ct)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.OpenReadAsync("x", _ct)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.OpenReadRangeAsync("x", 1, 2, _ct)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.DeleteAsync("x", _ct)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.PutAsync("x", new MemoryStream([1]), _ct)),
            await Assert.ThrowsAsync<StoreTransientException>(() => store.PutAsync("x", new GeneratedStream(9 * MiB), _ct)),
            await Assert.ThrowsAsync<StoreTransientException>(() => ListAsync(store, "")),
        };
        Assert.All(failures, e => Assert.Equal(StoreFailureKind.Network, e.Kind));
        Assert.All(failures, e => Assert.Contains("127.0.0.1:9", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_multipart_put_leaves_no_incomplete_upload_behind()
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name));
        var source = new GeneratedStream(40 * MiB) { FailAfter = 25 * MiB };

        await Assert.ThrowsAsync<SourceFailedException>(() => store.PutAsync("abort/x", source, _ct));

        var uploads = await bucket.Admin.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = bucket.Name, Prefix = "abort/" });
        Assert.Empty(uploads.MultipartUploads ?? []);
        Assert.Null(await store.GetInfoAsync("abort/x", _ct));
    }

    [Fact]
    public async Task A_large_put_is_a_multipart_upload_of_8_MiB_parts()
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name));
        await using (var source = new GeneratedStream(20 * MiB + 1))
            await store.PutAsync("parts/x", source, _ct);
        await using (var source = new GeneratedStream(8 * MiB - 1))
            await store.PutAsync("parts/single", source, _ct);

        var multipart = await bucket.Admin.GetObjectMetadataAsync(bucket.Name, "parts/x");
        var single = await bucket.Admin.GetObjectMetadataAsync(bucket.Name, "parts/single");
        Assert.EndsWith("-3\"", multipart.ETag, StringComparison.Ordinal);
        Assert.DoesNotContain('-', single.ETag);
    }

    [Fact]
    public async Task Listing_pages_past_1000_objects_in_ordinal_order()
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name));
        var names = Enumerable.Range(0, 1003).Select(i => $"many/{i:x4}").ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = _ct },
            async (name, ct) => await store.PutAsync(name, new MemoryStream(Encoding.ASCII.GetBytes(name)), ct));

        var listed = await ListAsync(store, "many/");

        Assert.Equal(names.Order(StringComparer.Ordinal), listed.Select(x => x.Name));
        Assert.All(listed, x => Assert.Equal(9, x.Size));
    }

    [Fact]
    public async Task An_explicit_storage_class_is_sent_with_single_and_multipart_puts()
    {
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { StorageClass = "standard" });
        await store.PutAsync("class/small", new MemoryStream([1, 2]), _ct);
        await using (var source = new GeneratedStream(9 * MiB))
            await store.PutAsync("class/large", source, _ct);

        foreach (var key in new[] { "class/small", "class/large" })
        {
            var head = await bucket.Admin.GetObjectMetadataAsync(bucket.Name, key);
            // S3 leaves the header out for STANDARD; Ceph names it.
            Assert.True(head.StorageClass is null || head.StorageClass.Value == "STANDARD", head.StorageClass?.Value);
        }
        Assert.True(store.ObjectsReadableImmediately);
    }

    [Fact]
    public async Task Ceph_refuses_a_storage_class_its_placement_does_not_define()
    {
        // The default placement knows only STANDARD: the header reaches the server, which refuses the put (Ceph says InvalidArgument).
        var store = new S3Store(CephRgw.Settings(bucket.Name) with { StorageClass = "STANDARD_IA" });

        var e = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("class/ia", new MemoryStream([1]), _ct));

        Assert.Contains("400 InvalidArgument", e.Message, StringComparison.Ordinal);
        Assert.Null(await store.GetInfoAsync("class/ia", _ct));
    }

    [Theory]
    [InlineData("STANDARD", true)]
    [InlineData("STANDARD_IA", true)]
    [InlineData("GLACIER", false)]
    [InlineData("deep_archive", false)]
    [InlineData("", true)]
    public void Archive_storage_classes_are_not_immediately_readable(string storageClass, bool readable)
    {
        using var store = new S3Store(CephRgw.Settings(bucket.Name) with { StorageClass = storageClass });
        Assert.Equal(readable, store.ObjectsReadableImmediately);
    }

    [Fact]
    public void Invalid_settings_are_refused_naming_the_problem()
    {
        var settings = CephRgw.Settings(bucket.Name);
        Assert.Contains("NEARLINE", Assert.Throws<ArgumentException>(() => new S3Store(settings with { StorageClass = "NEARLINE" })).Message,
            StringComparison.Ordinal);
        Assert.Contains("retain-until", Assert.Throws<ArgumentException>(
            () => new S3Store(settings with { ObjectLockMode = S3ObjectLockMode.Compliance })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new S3Store(settings with { Endpoint = "ftp://x" }));
        Assert.Throws<ArgumentException>(() => new S3Store(settings with { Bucket = "" }));
        Assert.Throws<ArgumentException>(() => new S3Store(settings with { SecretAccessKey = "" }));
        Assert.Throws<ArgumentException>(() => S3Store.ForGcs(CephRgw.GcsSettings(bucket.Name) with { StorageClass = "GLACIER" }));
        using var gcs = S3Store.ForGcs(CephRgw.GcsSettings(bucket.Name) with { StorageClass = "ARCHIVE" });
        Assert.True(gcs.ObjectsReadableImmediately);
    }

    [Fact]
    public void Settings_print_without_their_secrets()
    {
        var s3 = CephRgw.Settings(bucket.Name) with { SecretAccessKey = "s3-very-secret" };
        var gcs = CephRgw.GcsSettings(bucket.Name) with { HmacSecret = "gcs-very-secret" };

        Assert.DoesNotContain("very-secret", s3.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret", gcs.ToString(), StringComparison.Ordinal);
        Assert.Contains(bucket.Name, s3.ToString(), StringComparison.Ordinal);
        Assert.Contains(CephRgw.AccessKey, gcs.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Location_names_scheme_bucket_and_a_non_default_endpoint()
    {
        using var s3 = new S3Store(CephRgw.Settings(bucket.Name));
        using var aws = new S3Store(CephRgw.Settings(bucket.Name) with { Endpoint = "", Region = "eu-central-1" });
        using var gcs = S3Store.ForGcs(CephRgw.GcsSettings(bucket.Name) with { Endpoint = "" });

        Assert.Equal($"s3://{bucket.Name}?endpoint={CephRgw.Endpoint}", s3.Location);
        Assert.Equal($"s3://{bucket.Name}", aws.Location);
        Assert.Equal($"gs://{bucket.Name}", gcs.Location);
    }

    [Fact]
    public void The_gcs_profile_signs_for_region_auto_at_googles_endpoint()
    {
        var settings = new GcsStoreSettings { Bucket = "b", HmacAccessId = "GOOG1", HmacSecret = "s", StorageClass = "NEARLINE" }.ToS3Settings();

        Assert.Equal("https://storage.googleapis.com", settings.Endpoint);
        Assert.Equal("auto", settings.Region);
        Assert.True(settings.ForcePathStyle);
        Assert.Equal("NEARLINE", settings.StorageClass);
        Assert.Equal(S3ObjectLockMode.Off, settings.ObjectLockMode);
    }

    private static async Task<List<StoredObjectInfo>> ListAsync(IBackupStore store, string prefix)
    {
        var result = new List<StoredObjectInfo>();
        await foreach (var info in store.ListAsync(prefix, CancellationToken.None))
            result.Add(info);
        return result;
    }
}
