using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BackupFunctions.Core.Network;

namespace BackupFunctions.Core.Storage.S3;

/// <summary>
/// A destination in one bucket of AWS S3, an S3-compatible server (Ceph RGW, MinIO, …) or Google Cloud Storage's
/// S3-interoperable XML API (<see cref="ForGcs"/>); object names are keys.
/// </summary>
/// <remarks>
/// <para>A put reads the source into parts (8 MiB for the first 1000 parts, 16 MiB up to part 4000, 64 MiB beyond:
/// objects up to about 430 GiB within S3's 10,000 parts) and uploads at most two parts at a time while the next one
/// is read, so memory per put is at most three parts. A source that ends within the first part goes up as a single
/// PutObject. Parts of a multipart upload are invisible until it is completed; a failed or cancelled put aborts it.
/// An abort that itself fails leaves invisible parts behind: give the bucket a lifecycle rule that aborts incomplete
/// multipart uploads after a day.</para>
/// <para>The bucket is never created here: an Object Lock bucket must be created with the lock enabled, a bucket's
/// region is fixed at creation, and a bucket-scoped key cannot create buckets anyway. A missing bucket reads as empty
/// and fails a put with <see cref="StoreFailureKind.ContainerNotFound"/>.</para>
/// <para>Request checksums are only sent where the API demands them (WHEN_REQUIRED): Ceph Pacific and other
/// compatible servers refuse the SDK's default trailing checksums. Integrity of every upload is still checked by the
/// server through the SigV4 payload hash (and Content-MD5 under Object Lock).</para>
/// <para>Timeouts: <see cref="S3StoreSettings.ConnectTimeout"/> per connection, <see cref="S3StoreSettings.RequestTimeout"/>
/// per request (until the response headers) and as the longest pause inside a download body. The SDK retries a failed
/// request up to 3 times: a part buffered in memory can be re-sent, whereas a whole put cannot be retried by the
/// caller once the source stream was read.</para>
/// </remarks>
public sealed class S3Store : IBackupStore, IDisposable, IServerSideCopy
{
    private const int MiB = 1024 * 1024;
    private const int MaxPartsInFlight = 2;
    private const int MaxParts = 10_000;

    private static readonly Profile S3Profile = new("s3", "S3", ChunkedBodies: true, S3StoreSettings.StorageClasses);

    // GCS's XML API knows neither aws-chunked bodies nor trailing checksums: each part is sent whole, signed by its SHA-256.
    private static readonly Profile GcsProfile = new("gs", "GCS", ChunkedBodies: false, GcsStoreSettings.StorageClasses);

    private readonly S3StoreSettings _settings;
    private readonly Profile _profile;
    private readonly Func<string, DateTimeOffset?>? _retainUntil;
    private readonly TimeProvider _time;
    private readonly AmazonS3Client _client;
    private readonly PolicyHttpClientFactory _http;

    /// <summary>A store for an S3 or S3-compatible bucket.</summary>
    /// <param name="settings">Where and how to connect.</param>
    /// <param name="objectLockRetainUntil">
    /// Required when <see cref="S3StoreSettings.ObjectLockMode"/> is on, ignored otherwise: the retain-until date
    /// for an object name, called once per put (the caller knows which backup a name belongs to and its retention),
    /// or null to store that object unlocked. The date must lie in the future.
    /// </param>
    /// <param name="timeProvider">The clock that tells whether a lock has expired (<see cref="StoredObjectInfo.LockedUntil"/>).</param>
    /// <param name="network">
    /// Which addresses the store may connect to, judged at every connect; null: <see cref="NetworkPolicy.InternalAllowed"/>
    /// (everything but link-local and metadata addresses).
    /// </param>
    /// <exception cref="ArgumentException">The settings are incomplete or invalid; the message names the field.</exception>
    public S3Store(S3StoreSettings settings, Func<string, DateTimeOffset?>? objectLockRetainUntil = null, TimeProvider? timeProvider = null,
        NetworkPolicy? network = null)
        : this(settings, objectLockRetainUntil, timeProvider, S3Profile, network)
    {
    }

    private S3Store(S3StoreSettings settings, Func<string, DateTimeOffset?>? objectLockRetainUntil, TimeProvider? timeProvider, Profile profile,
        NetworkPolicy? network)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _profile = profile;
        _settings = Validate(settings, profile);
        if (_settings.ObjectLockMode != S3ObjectLockMode.Off && objectLockRetainUntil is null)
            throw new ArgumentException("ObjectLockMode is on: the store needs the retain-until function.", nameof(objectLockRetainUntil));
        _retainUntil = _settings.ObjectLockMode == S3ObjectLockMode.Off ? null : objectLockRetainUntil;
        _time = timeProvider ?? TimeProvider.System;

        var config = new AmazonS3Config
        {
            ForcePathStyle = _settings.ForcePathStyle,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            ConnectTimeout = _settings.ConnectTimeout,
            Timeout = _settings.RequestTimeout,
            MaxErrorRetry = 3,
            // The settings name the endpoint; AWS_ENDPOINT_URL* in the environment must not redirect backups elsewhere.
            IgnoreConfiguredEndpointUrls = true,
        };
        _http = new PolicyHttpClientFactory(network ?? NetworkPolicy.InternalAllowed, _settings.ConnectTimeout, _settings.RequestTimeout);
        config.HttpClientFactory = _http;
        if (_settings.Endpoint.Length == 0)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(_settings.Region);
        }
        else
        {
            config.ServiceURL = _settings.Endpoint;
            config.AuthenticationRegion = _settings.Region;
        }
        _client = new AmazonS3Client(new BasicAWSCredentials(_settings.AccessKeyId, _settings.SecretAccessKey), config);
    }

    /// <summary>A store for a Google Cloud Storage bucket through the XML API with an HMAC key.</summary>
    /// <exception cref="ArgumentException">The settings are incomplete or invalid; the message names the field.</exception>
    public static S3Store ForGcs(GcsStoreSettings settings, TimeProvider? timeProvider = null, NetworkPolicy? network = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new S3Store(settings.ToS3Settings(), null, timeProvider, GcsProfile, network);
    }

    /// <summary><c>s3://bucket</c> or <c>gs://bucket</c>, with <c>?endpoint=…</c> for a server other than AWS or Google.</summary>
    public string Location =>
        $"{_profile.Scheme}://{_settings.Bucket}"
        + (_settings.Endpoint.Length == 0 || _settings.Endpoint == GcsStoreSettings.GoogleEndpoint ? "" : "?endpoint=" + _settings.Endpoint);

    /// <summary>
    /// False for the archive storage classes (S3 GLACIER and DEEP_ARCHIVE): their objects exist and have a size, but
    /// reading them fails (InvalidObjectState, <see cref="StoreFailureKind.Other"/>) until they are restored, which
    /// takes hours. Verification of such a destination can check presence and size only (<see cref="GetInfoAsync"/>);
    /// a restore must first restore the objects through the S3 console or API.
    /// </summary>
    public bool ObjectsReadableImmediately => _settings.StorageClass is not ("GLACIER" or "DEEP_ARCHIVE");

    /// <summary>The Object Lock mode of new objects.</summary>
    public S3ObjectLockMode ObjectLockMode => _settings.ObjectLockMode;

    /// <remarks>
    /// Between buckets of one endpoint and access key (same profile) the service copies the object itself
    /// (CopyObject, up to 5 GiB; larger objects return false and are streamed). The copy gets this store's storage
    /// class and, under Object Lock, is locked explicitly like a multipart upload (Ceph ignores lock headers on copies).
    /// </remarks>
    public async Task<bool> TryCopyFromAsync(IBackupStore source, string sourceName, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectNameRules.Validate(sourceName);
        ObjectNameRules.Validate(name);
        if (source.Innermost() is not S3Store other || other._profile != _profile
            || other._settings.Endpoint != _settings.Endpoint || other._settings.Region != _settings.Region
            || other._settings.AccessKeyId != _settings.AccessKeyId)
        {
            return false;
        }
        var info = await other.GetInfoAsync(sourceName, cancellationToken)
            ?? throw new StoreObjectNotFoundException($"{_profile.Scheme} copy: '{sourceName}' does not exist in {other.Location}.");
        if (info.Size > MaxCopyObjectBytes)
            return false;

        var retainUntil = _retainUntil?.Invoke(name);
        var request = new CopyObjectRequest
        {
            SourceBucket = other._settings.Bucket,
            SourceKey = sourceName,
            DestinationBucket = _settings.Bucket,
            DestinationKey = name,
        };
        if (_settings.StorageClass.Length > 0)
            request.StorageClass = new S3StorageClass(_settings.StorageClass);
        CopyObjectResponse copied;
        try
        {
            copied = await _client.CopyObjectAsync(request, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw MapPut(name, ex);
        }
        if (retainUntil is { } until)
            await LockVersionAsync(name, copied.VersionId, until, cancellationToken);
        return true;
    }

    /// <summary>The largest object a single CopyObject may copy (5 GiB).</summary>
    private const long MaxCopyObjectBytes = 5L * 1024 * 1024 * 1024;

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        ArgumentNullException.ThrowIfNull(content);
        var retainUntil = _retainUntil?.Invoke(name);

        var first = ArrayPool<byte>.Shared.Rent(PartSize(1));
        try
        {
            // Source failures (a dying pg_dump) pass through unchanged: they are not the destination's.
            var length = await content.ReadAtLeastAsync(first.AsMemory(0, PartSize(1)), PartSize(1), throwOnEndOfStream: false, cancellationToken);
            if (length < PartSize(1))
            {
                await PutSingleAsync(name, first, length, retainUntil, cancellationToken);
                return;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(first);
            throw;
        }
        await PutMultipartAsync(name, content, first, retainUntil, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        return await GetAsync(name, new GetObjectRequest { BucketName = _settings.Bucket, Key = name }, cancellationToken);
    }

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            // HTTP has no empty range; existence still has to be told.
            return await GetInfoAsync(name, cancellationToken) is null
                ? throw new StoreObjectNotFoundException($"{_profile.Service} read '{name}' in {Location} failed: HTTP 404 NoSuchKey.")
                : Stream.Null;
        }
        var last = length - 1 > long.MaxValue - offset ? long.MaxValue : offset + length - 1;
        var request = new GetObjectRequest { BucketName = _settings.Bucket, Key = name, ByteRange = new ByteRange(offset, last) };
        try
        {
            return await GetAsync(name, request, cancellationToken);
        }
        catch (StoreException ex) when (ex.InnerException is AmazonS3Exception { StatusCode: HttpStatusCode.RequestedRangeNotSatisfiable })
        {
            // The range starts at or past the end (of an object that exists: a missing one is a 404).
            return Stream.Null;
        }
    }

    public async Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        GetObjectMetadataResponse head;
        try
        {
            head = await _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _settings.Bucket, Key = name }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // The object or the whole bucket is missing: both read as "not there".
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            throw await DiagnoseForbiddenHeadAsync("get info", name, ex, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("get info", name, ex);
        }
        return new StoredObjectInfo(name, head.ContentLength, Utc(head.LastModified))
        {
            LockedUntil = LockedUntil(head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus),
        };
    }

    /// <remarks>
    /// S3 lists in UTF-8 byte order, which differs from ordinal (UTF-16) order for a few characters; the listing is
    /// therefore collected and sorted (names only, a few hundred bytes per object).
    /// </remarks>
    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNameRules.ValidatePrefix(prefix);
        var found = new List<StoredObjectInfo>();
        var request = new ListObjectsV2Request { BucketName = _settings.Bucket, Prefix = prefix.Length == 0 ? null : prefix };
        try
        {
            while (true)
            {
                var page = await _client.ListObjectsV2Async(request, cancellationToken);
                foreach (var item in page.S3Objects ?? [])
                    found.Add(new StoredObjectInfo(item.Key, item.Size ?? 0, Utc(item.LastModified)));
                if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
                    break;
                request.ContinuationToken = page.NextContinuationToken;
            }
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            // No bucket: nothing has been stored.
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("list", prefix, ex);
        }

        found.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var info in found)
            yield return info;
    }

    /// <remarks>
    /// With Object Lock on, the bucket is versioned and a plain delete would only hide the object behind a delete
    /// marker, keeping (and billing) its data: every version of the name is deleted instead, and a version still
    /// under its lock refuses with <see cref="StoreFailureKind.Locked"/>. Without Object Lock it is one DeleteObject
    /// (on a versioned bucket, let a lifecycle rule expire noncurrent versions).
    /// </remarks>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        try
        {
            if (_settings.ObjectLockMode == S3ObjectLockMode.Off)
            {
                await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _settings.Bucket, Key = name }, cancellationToken);
                return;
            }
            foreach (var versionId in await ListVersionIdsAsync(name, cancellationToken))
                await DeleteVersionAsync(name, versionId, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            // No bucket, no object.
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("delete", name, ex);
        }
    }

    /// <remarks>
    /// None: a put is a single PutObject or a multipart upload, whose parts are not an object of any name. The parts of
    /// a multipart upload whose process died are kept (and billed) by the service until the upload is aborted: give
    /// the bucket a lifecycle rule that aborts incomplete multipart uploads (AbortIncompleteMultipartUpload).
    /// </remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken)
        => NoTemporaryObjects.ListAsync(prefix, cancellationToken);

    public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) => NoTemporaryObjects.DeleteAsync(name, Location);

    public void Dispose()
    {
        _client.Dispose();
        _http.Dispose();
    }

    private static S3StoreSettings Validate(S3StoreSettings settings, Profile profile)
    {
        if (string.IsNullOrWhiteSpace(settings.Bucket))
            throw new ArgumentException("The bucket is required.", nameof(settings));
        if (string.IsNullOrEmpty(settings.AccessKeyId) || string.IsNullOrEmpty(settings.SecretAccessKey))
            throw new ArgumentException("The access key id and the secret are required.", nameof(settings));
        if (string.IsNullOrWhiteSpace(settings.Region))
            throw new ArgumentException("The region is required.", nameof(settings));
        if (settings.Endpoint.Length > 0
            && !(Uri.TryCreate(settings.Endpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme is "http" or "https"))
        {
            throw new ArgumentException($"The endpoint '{settings.Endpoint}' is not an http(s) URL.", nameof(settings));
        }
        var storageClass = settings.StorageClass.ToUpperInvariant();
        if (storageClass.Length > 0 && !profile.StorageClasses.Contains(storageClass))
        {
            throw new ArgumentException(
                $"Storage class '{settings.StorageClass}' is not one of {string.Join(", ", profile.StorageClasses)}.", nameof(settings));
        }
        if (settings.ConnectTimeout <= TimeSpan.Zero || settings.RequestTimeout <= TimeSpan.Zero)
            throw new ArgumentException("The timeouts must be positive.", nameof(settings));
        return settings with { StorageClass = storageClass };
    }

    // Grows with the part number, so a stream of unknown length fits S3's 10,000 parts while small objects use little memory.
    private static int PartSize(int partNumber) => partNumber switch
    {
        <= 1000 => 8 * MiB,
        <= 4000 => 16 * MiB,
        _ => 64 * MiB,
    };

    private async Task PutSingleAsync(string name, byte[] buffer, int length, DateTimeOffset? retainUntil, CancellationToken cancellationToken)
    {
        var request = new PutObjectRequest
        {
            BucketName = _settings.Bucket,
            Key = name,
            InputStream = new MemoryStream(buffer, 0, length, writable: false),
            UseChunkEncoding = _profile.ChunkedBodies,
            ContentType = "application/octet-stream",
        };
        if (_settings.StorageClass.Length > 0)
            request.StorageClass = new S3StorageClass(_settings.StorageClass);
        if (retainUntil is { } until)
        {
            request.ObjectLockMode = LockMode();
            request.ObjectLockRetainUntilDate = until.UtcDateTime;
            // S3 demands Content-MD5 (or a flexible checksum, which older compatible servers do not know) under Object Lock.
            request.MD5Digest = Md5(buffer, length);
        }
        try
        {
            await _client.PutObjectAsync(request, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw MapPut(name, ex);
        }
    }

    private async Task PutMultipartAsync(string name, Stream content, byte[] first, DateTimeOffset? retainUntil, CancellationToken cancellationToken)
    {
        string uploadId;
        try
        {
            var initiate = new InitiateMultipartUploadRequest { BucketName = _settings.Bucket, Key = name, ContentType = "application/octet-stream" };
            if (_settings.StorageClass.Length > 0)
                initiate.StorageClass = new S3StorageClass(_settings.StorageClass);
            if (retainUntil is { } until)
            {
                initiate.ObjectLockMode = LockMode();
                initiate.ObjectLockRetainUntilDate = until.UtcDateTime;
            }
            uploadId = (await _client.InitiateMultipartUploadAsync(initiate, cancellationToken)).UploadId;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            ArrayPool<byte>.Shared.Return(first);
            throw MapPut(name, ex);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(first);
            throw;
        }

        // Stops the other part in flight as soon as one fails.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var inFlight = new Queue<(Task<PartETag> Upload, byte[] Buffer)>();
        var done = new List<PartETag>();
        byte[]? buffer = first;
        try
        {
            var number = 1;
            var length = PartSize(1);
            while (true)
            {
                inFlight.Enqueue((UploadPartAsync(name, uploadId, number, buffer, length, retainUntil is not null, stop.Token), buffer));
                buffer = null;
                if (length < PartSize(number))
                    break;
                number++;
                while (inFlight.Count >= MaxPartsInFlight)
                    done.Add(await CompleteOldestAsync(inFlight));
                buffer = ArrayPool<byte>.Shared.Rent(PartSize(number));
                length = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize(number)), PartSize(number), throwOnEndOfStream: false, cancellationToken);
                if (length == 0)
                    break;
                if (number > MaxParts)
                {
                    throw new StoreException(
                        $"{_profile.Service} put '{name}' in {Location} failed: the object needs more than {MaxParts} parts.", StoreFailureKind.Full);
                }
            }
            while (inFlight.Count > 0)
                done.Add(await CompleteOldestAsync(inFlight));

            CompleteMultipartUploadResponse completed;
            try
            {
                completed = await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                {
                    BucketName = _settings.Bucket,
                    Key = name,
                    UploadId = uploadId,
                    PartETags = done,
                }, cancellationToken);
            }
            catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
            {
                throw MapPut(name, ex);
            }
            if (retainUntil is { } until)
                await LockVersionAsync(name, completed.VersionId, until, cancellationToken);
        }
        catch
        {
            await stop.CancelAsync();
            while (inFlight.Count > 0)
            {
                try
                {
                    await CompleteOldestAsync(inFlight);
                }
                catch (Exception)
                {
                    // The failure that stopped the put is the one to report.
                }
            }
            await AbortAsync(name, uploadId);
            throw;
        }
        finally
        {
            if (buffer is not null)
                ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // Ceph Pacific ignores the lock headers of InitiateMultipartUpload: the completed version is locked explicitly
    // (on AWS this repeats the same date, which is allowed in both modes). Should it fail, the put fails: the object
    // is then visible but unlocked, and the caller's retry puts (and locks) it again.
    private async Task LockVersionAsync(string name, string? versionId, DateTimeOffset until, CancellationToken cancellationToken)
    {
        try
        {
            await _client.PutObjectRetentionAsync(new PutObjectRetentionRequest
            {
                BucketName = _settings.Bucket,
                Key = name,
                VersionId = string.IsNullOrEmpty(versionId) ? null : versionId,
                Retention = new ObjectLockRetention { Mode = RetentionMode(), RetainUntilDate = until.UtcDateTime },
            }, cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("lock", name, ex);
        }
    }

    private static async Task<PartETag> CompleteOldestAsync(Queue<(Task<PartETag> Upload, byte[] Buffer)> inFlight)
    {
        var (upload, buffer) = inFlight.Dequeue();
        try
        {
            return await upload;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<PartETag> UploadPartAsync(string name, string uploadId, int number, byte[] buffer, int length, bool withMd5,
        CancellationToken cancellationToken)
    {
        // Off the caller's path: reading the next part goes on while this one is sent.
        await Task.Yield();
        var request = new UploadPartRequest
        {
            BucketName = _settings.Bucket,
            Key = name,
            UploadId = uploadId,
            PartNumber = number,
            InputStream = new MemoryStream(buffer, 0, length, writable: false),
            PartSize = length,
            UseChunkEncoding = _profile.ChunkedBodies,
            MD5Digest = withMd5 ? Md5(buffer, length) : null,
        };
        try
        {
            var response = await _client.UploadPartAsync(request, cancellationToken);
            return new PartETag(number, response.ETag);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw MapPut(name, ex);
        }
    }

    private async Task AbortAsync(string name, string uploadId)
    {
        // Not the caller's token: it may be the reason for the abort. Bounded, because a dead server must not hold up the failure.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _settings.Bucket, Key = name, UploadId = uploadId },
                timeout.Token);
        }
        catch (Exception ex) when (IsServiceFailure(ex, CancellationToken.None) || ex is OperationCanceledException)
        {
            // The parts stay invisible; the bucket's lifecycle rule for incomplete uploads removes them.
        }
    }

    private async Task<Stream> GetAsync(string name, GetObjectRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _client.GetObjectAsync(request, cancellationToken);
            return new IdleTimeoutReadStream(response.ResponseStream, response, _settings.RequestTimeout);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("read", name, ex);
        }
    }

    private async Task<List<string>> ListVersionIdsAsync(string name, CancellationToken cancellationToken)
    {
        var versionIds = new List<string>();
        var request = new ListVersionsRequest { BucketName = _settings.Bucket, Prefix = name };
        while (true)
        {
            var page = await _client.ListVersionsAsync(request, cancellationToken);
            // The prefix also matches longer names ("name2"); delete markers are versions too and go as well.
            versionIds.AddRange(from version in page.Versions ?? []
                                where version.Key == name
                                select version.VersionId ?? "null");
            if (page.IsTruncated != true)
                return versionIds;
            request.KeyMarker = page.NextKeyMarker;
            request.VersionIdMarker = page.NextVersionIdMarker;
        }
    }

    private async Task DeleteVersionAsync(string name, string versionId, CancellationToken cancellationToken)
    {
        try
        {
            await _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _settings.Bucket, Key = name, VersionId = versionId }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            // S3 answers a delete refused by Object Lock with a plain AccessDenied: ask the version whether it is locked.
            GetObjectMetadataResponse head;
            try
            {
                head = await _client.GetObjectMetadataAsync(
                    new GetObjectMetadataRequest { BucketName = _settings.Bucket, Key = name, VersionId = versionId }, cancellationToken);
            }
            catch (Exception headFailure) when (IsServiceFailure(headFailure, cancellationToken))
            {
                throw Map("delete", name, ex);
            }
            if (LockedUntil(head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus) is { } until)
            {
                var what = until == DateTimeOffset.MaxValue ? "under a legal hold" : $"locked until {until:u}";
                throw new StoreException($"{_profile.Service} delete '{name}' in {Location} refused: the object is {what}.", StoreFailureKind.Locked, ex);
            }
            throw Map("delete", name, ex);
        }
    }

    // HEAD answers carry no body, so a 403 does not tell a refused key from a missing right; a GET of one byte does.
    private async Task<StoreException> DiagnoseForbiddenHeadAsync(string operation, string name, AmazonS3Exception head, CancellationToken cancellationToken)
    {
        try
        {
            using var probe = await _client.GetObjectAsync(
                new GetObjectRequest { BucketName = _settings.Bucket, Key = name, ByteRange = new ByteRange(0, 0) }, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (!string.IsNullOrEmpty(ex.ErrorCode))
        {
            return Map(operation, name, ex);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            // Fall back to what the HEAD said.
        }
        return Map(operation, name, head);
    }

    private ObjectLockMode LockMode() =>
        _settings.ObjectLockMode == S3ObjectLockMode.Compliance ? Amazon.S3.ObjectLockMode.Compliance : Amazon.S3.ObjectLockMode.Governance;

    private ObjectLockRetentionMode RetentionMode() =>
        _settings.ObjectLockMode == S3ObjectLockMode.Compliance ? ObjectLockRetentionMode.Compliance : ObjectLockRetentionMode.Governance;

    private DateTimeOffset? LockedUntil(DateTime? retainUntil, ObjectLockLegalHoldStatus? legalHold)
    {
        if (legalHold == ObjectLockLegalHoldStatus.On)
            return DateTimeOffset.MaxValue;
        return retainUntil is { } until && Utc(until) > _time.GetUtcNow() ? Utc(until) : null;
    }

    private static DateTimeOffset Utc(DateTime? time) => time switch
    {
        null => DateTimeOffset.MinValue,
        { Kind: DateTimeKind.Unspecified } t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)),
        { } t => new DateTimeOffset(t.ToUniversalTime()),
    };

    private static string Md5(byte[] buffer, int length)
    {
        // Not for security: Content-MD5 is the integrity header S3 requires for Object Lock uploads.
#pragma warning disable CA5351
        return Convert.ToBase64String(MD5.HashData(buffer.AsSpan(0, length)));
#pragma warning restore CA5351
    }

    private static bool IsServiceFailure(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException => true,
        // A request timeout, not the caller's cancellation.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private StoreException MapPut(string name, Exception ex) => ex switch
    {
        StoreException mapped => mapped,
        AmazonS3Exception { ErrorCode: "NoSuchBucket" } => new StoreException(
            Describe("put", name, ex) + " (the bucket does not exist)", StoreFailureKind.ContainerNotFound, ex),
        _ => Map("put", name, ex),
    };

    private StoreException Map(string operation, string name, Exception ex)
    {
        if (StoreFailureText.Refusal($"{_profile.Service} {operation} '{name}' in {Location} refused", ex) is { } refused)
            return refused;
        var message = Describe(operation, name, ex);
        if (ex is not AmazonServiceException service || (service.StatusCode == 0 && string.IsNullOrEmpty(service.ErrorCode)))
            return new StoreTransientException(message, ex);
        return (service.ErrorCode, (int)service.StatusCode) switch
        {
            // A missing bucket reads as an empty destination (a put names it: see MapPut).
            ("NoSuchKey" or "NoSuchBucket" or "NotFound", _) or (_, 404) => new StoreObjectNotFoundException(message, ex),
            ("InvalidAccessKeyId" or "SignatureDoesNotMatch" or "InvalidSecurity" or "InvalidToken" or "ExpiredToken"
                or "RequestTimeTooSkewed" or "AuthenticationRequired", _) or (_, 401)
                => new StoreException(message, StoreFailureKind.Authentication, ex),
            ("SlowDown" or "Throttling" or "ThrottlingException" or "TooManyRequests" or "RequestLimitExceeded", _) or (_, 429 or 503)
                => new StoreTransientException(message, StoreFailureKind.Throttled, ex),
            // Ceph RGW's user and bucket quotas.
            ("QuotaExceeded", _) => new StoreException(message, StoreFailureKind.Full, ex),
            ("InvalidObjectState", _) => new StoreException(
                message + " The object is in an archive storage class and must be restored before it can be read.", ex),
            ("AccessDenied" or "AllAccessDisabled" or "AccountProblem", _) or (_, 403) => new StoreException(message, StoreFailureKind.Permission, ex),
            ("RequestTimeout" or "InternalError" or "ServiceUnavailable", _) or (_, 408 or >= 500) => new StoreTransientException(message, ex),
            _ => new StoreException(message, ex),
        };
    }

    // Status and a known error code only: the SDK's messages may quote the request (and a refused signature's string
    // to sign), and whatever else the server put in its answer is the server's text, not ours to pass on (the
    // exception, logged server-side, keeps it).
    private string Describe(string operation, string name, Exception cause) => cause switch
    {
        AmazonServiceException { StatusCode: not 0 } service =>
            $"{_profile.Service} {operation} '{name}' in {Location} failed: HTTP {(int)service.StatusCode} {ErrorCodeText(service.ErrorCode)}.",
        _ => $"{_profile.Service} {operation} '{name}' in {Location} failed: {StoreFailureText.Describe(cause)}.",
    };

    private static string ErrorCodeText(string? code) =>
        string.IsNullOrEmpty(code) ? "(no error code)" : KnownErrorCodes.Contains(code) ? code : "(an error code this service does not know)";

    // The S3 error codes a message may name (the ones mapped above and the common request errors).
    private static readonly HashSet<string> KnownErrorCodes = new(StringComparer.Ordinal)
    {
        "NoSuchKey", "NoSuchBucket", "NotFound", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidSecurity", "InvalidToken",
        "ExpiredToken", "RequestTimeTooSkewed", "AuthenticationRequired", "SlowDown", "Throttling", "ThrottlingException",
        "TooManyRequests", "RequestLimitExceeded", "QuotaExceeded", "InvalidObjectState", "AccessDenied", "AllAccessDisabled",
        "AccountProblem", "RequestTimeout", "InternalError", "ServiceUnavailable", "InvalidArgument", "InvalidRequest",
        "InvalidBucketName", "InvalidBucketState", "MalformedXML", "EntityTooLarge", "EntityTooSmall", "BadDigest", "InvalidDigest",
        "XAmzContentSHA256Mismatch", "InvalidPart", "InvalidPartOrder", "NoSuchUpload", "InvalidRange", "PreconditionFailed",
        "MethodNotAllowed", "NotImplemented", "PermanentRedirect", "TemporaryRedirect", "AuthorizationHeaderMalformed",
        "InvalidRetentionPeriod", "ObjectLockConfigurationNotFoundError", "NoSuchObjectLockConfiguration", "KeyTooLongError",
        "MissingContentLength", "IncompleteBody", "InvalidStorageClass", "BucketNotEmpty", "NoSuchVersion",
    };

    private sealed record Profile(string Scheme, string Service, bool ChunkedBodies, IReadOnlyList<string> StorageClasses);
}
