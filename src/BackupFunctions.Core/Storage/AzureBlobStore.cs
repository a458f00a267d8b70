using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace BackupFunctions.Core.Storage;

/// <summary>A destination in one Azure Blob Storage container; object names are blob names.</summary>
/// <remarks>
/// Objects are block blobs. A large put stages 4 MiB blocks and commits the block list at the end; staged blocks
/// are invisible until then, so a failed put leaves nothing (or the previous blob) under the name. Memory per put is
/// bounded by the blocks in flight (block size × concurrency).
/// </remarks>
public sealed class AzureBlobStore : IBackupStore, IServerSideCopy
{
    private const int BlockSize = 4 * 1024 * 1024;
    private const int UploadConcurrency = 2;

    private readonly BlobContainerClient _container;
    private readonly AccessTier? _accessTier;
    private readonly Func<string, DateTimeOffset?>? _lockUntil;
    private readonly BlobImmutabilityPolicyMode _lockMode;
    private volatile bool _containerReady;

    /// <param name="accessTier">The tier new blobs get (Hot, Cool, Cold, Archive); null: the account's default.
    /// Archive blobs cannot be read until they are rehydrated, so verification of them is by size only.</param>
    /// <param name="lockUntil">
    /// Version-level immutability (the container must have it enabled): each new blob gets an immutability policy
    /// until the date this returns for its name (null: no lock for that blob), so it can be neither deleted nor
    /// overwritten before then. Null: no locks.
    /// </param>
    /// <param name="lockCompliance">True: the policy is locked (compliance, nobody can shorten it); false: unlocked (governance).</param>
    public AzureBlobStore(BlobContainerClient container, AccessTier? accessTier = null, Func<string, DateTimeOffset?>? lockUntil = null, bool lockCompliance = false)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _accessTier = accessTier;
        _lockUntil = lockUntil;
        _lockMode = lockCompliance ? BlobImmutabilityPolicyMode.Locked : BlobImmutabilityPolicyMode.Unlocked;
    }

    public string Location => $"azblob://{_container.AccountName}/{_container.Name}";

    /// <remarks>Creates the container on the first put when it does not exist.</remarks>
    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        ArgumentNullException.ThrowIfNull(content);
        await EnsureContainerAsync(cancellationToken);

        var options = new BlobUploadOptions
        {
            AccessTier = _accessTier,
            ImmutabilityPolicy = _lockUntil?.Invoke(name) is { } until
                ? new BlobImmutabilityPolicy { ExpiresOn = until, PolicyMode = _lockMode }
                : null,
            TransferOptions = new StorageTransferOptions
            {
                InitialTransferSize = BlockSize,
                MaximumTransferSize = BlockSize,
                MaximumConcurrency = UploadConcurrency,
            },
        };
        try
        {
            await _container.GetBlockBlobClient(name).UploadAsync(content, options, cancellationToken);
        }
        // IOException is not mapped here: it may come from the source stream, which is not the destination's fault.
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken, includeIOException: false))
        {
            if (ex is RequestFailedException { Status: 404 })
            {
                // The container was deleted behind our back: the next attempt creates it again.
                _containerReady = false;
                throw new StoreException(Describe("put", name, ex) + " (the container does not exist)", StoreFailureKind.ContainerNotFound, ex);
            }
            throw Map("put", name, ex);
        }
    }

    /// <remarks>
    /// Within one storage account (same endpoint) the service copies the blob itself (copy-blob, authorised by this
    /// store's credential); the new blob gets this store's tier and lock. Other pairs return false.
    /// </remarks>
    public async Task<bool> TryCopyFromAsync(IBackupStore source, string sourceName, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectNameRules.Validate(sourceName);
        ObjectNameRules.Validate(name);
        if (source.Innermost() is not AzureBlobStore other
            || !string.Equals(other._container.Uri.GetLeftPart(UriPartial.Authority), _container.Uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase)
            || other._container.AccountName != _container.AccountName)
        {
            return false;
        }
        await EnsureContainerAsync(cancellationToken);
        var options = new BlobCopyFromUriOptions { AccessTier = _accessTier };
        try
        {
            var target = _container.GetBlobClient(name);
            var copy = await target.StartCopyFromUriAsync(other._container.GetBlobClient(sourceName).Uri, options, cancellationToken);
            await copy.WaitForCompletionAsync(cancellationToken);
            // Copy-blob takes no immutability policy: the copy is locked right after, as a put would be.
            if (_lockUntil?.Invoke(name) is { } until)
                await target.SetImmutabilityPolicyAsync(new BlobImmutabilityPolicy { ExpiresOn = until, PolicyMode = _lockMode }, cancellationToken: cancellationToken);
            return true;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("copy", name, ex);
        }
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        try
        {
            // The download stream resumes by range (pinned to the blob's ETag) when the connection drops.
            var download = await _container.GetBlobClient(name).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return download.Value.Content;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("read", name, ex);
        }
    }

    public async Task<Stream> OpenReadRangeAsync(string name, long offset, long length, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
        {
            // The service has no empty range; existence still has to be told.
            return await GetInfoAsync(name, cancellationToken) is null
                ? throw new StoreObjectNotFoundException($"Azure Blob read '{name}' in {Location} failed: HTTP 404 BlobNotFound.")
                : Stream.Null;
        }
        try
        {
            var options = new BlobDownloadOptions { Range = new HttpRange(offset, length) };
            var download = await _container.GetBlobClient(name).DownloadStreamingAsync(options, cancellationToken);
            return download.Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 416)
        {
            // The range starts at or past the end (of an object that exists: a missing one is a 404).
            return Stream.Null;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("read", name, ex);
        }
    }

    public async Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        try
        {
            var properties = await _container.GetBlobClient(name).GetPropertiesAsync(cancellationToken: cancellationToken);
            return new StoredObjectInfo(name, properties.Value.ContentLength, properties.Value.LastModified)
            {
                LockedUntil = properties.Value.ImmutabilityPolicy?.ExpiresOn,
            };
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("get info", name, ex);
        }
    }

    /// <remarks>
    /// The service lists in UTF-8 byte order, which differs from ordinal (UTF-16) order for a few characters;
    /// the listing is therefore collected and sorted (names only, a few hundred bytes per object).
    /// </remarks>
    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNameRules.ValidatePrefix(prefix);
        var found = new List<StoredObjectInfo>();
        try
        {
            var blobs = _container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix.Length == 0 ? null : prefix }, cancellationToken);
            await foreach (var blob in blobs)
            {
                found.Add(new StoredObjectInfo(blob.Name, blob.Properties.ContentLength ?? 0,
                    blob.Properties.LastModified ?? blob.Properties.CreatedOn ?? DateTimeOffset.MinValue));
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No container yet: nothing has been stored.
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("list", prefix, ex);
        }

        found.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var info in found)
            yield return info;
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        ObjectNameRules.Validate(name);
        try
        {
            // Also succeeds when the container itself is gone.
            await _container.GetBlobClient(name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("delete", name, ex);
        }
    }

    /// <remarks>
    /// None: a put's staged blocks are not an object of any name, and the service discards blocks left uncommitted
    /// by an interrupted put after a week by itself.
    /// </remarks>
    public IAsyncEnumerable<StoredObjectInfo> ListTemporaryAsync(string prefix, CancellationToken cancellationToken)
        => NoTemporaryObjects.ListAsync(prefix, cancellationToken);

    public Task DeleteTemporaryAsync(string name, CancellationToken cancellationToken) => NoTemporaryObjects.DeleteAsync(name, Location);

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerReady)
            return;
        try
        {
            await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 403)
        {
            // A credential scoped to the container (SAS) may not create containers; the upload tells whether it exists.
        }
        catch (Exception ex) when (IsServiceFailure(ex, cancellationToken))
        {
            throw Map("create container for", _container.Name, ex);
        }
        _containerReady = true;
    }

    private static bool IsServiceFailure(Exception ex, CancellationToken cancellationToken, bool includeIOException = true) => ex switch
    {
        RequestFailedException or HttpRequestException => true,
        IOException => includeIOException,
        // Azure.Core gives up after its retries with all the attempts' exceptions.
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0
                                         && IsServiceFailure(aggregate.InnerExceptions[^1], cancellationToken, includeIOException),
        // A per-try network timeout, not the caller's cancellation.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private StoreException Map(string operation, string name, Exception ex)
    {
        var cause = ex is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[^1] : ex;
        var message = Describe(operation, name, cause);
        return cause switch
        {
            // A missing container reads as an empty destination (a put names it: see PutAsync).
            RequestFailedException { Status: 404 } => new StoreObjectNotFoundException(message, ex),
            RequestFailedException { Status: 429 or 503 } => new StoreTransientException(message, StoreFailureKind.Throttled, ex),
            RequestFailedException { Status: 0 or 408 or >= 500 } => new StoreTransientException(message, ex),
            RequestFailedException { Status: 401 } or RequestFailedException { ErrorCode: "AuthenticationFailed" }
                => new StoreException(message, StoreFailureKind.Authentication, ex),
            RequestFailedException { Status: 403 } => new StoreException(message, StoreFailureKind.Permission, ex),
            RequestFailedException { ErrorCode: "BlobImmutableDueToPolicy" or "BlobImmutableDueToLegalHold" }
                => new StoreException(message, StoreFailureKind.Locked, ex),
            RequestFailedException => new StoreException(message, ex),
            _ => new StoreTransientException(message, ex),
        };
    }

    // Status and error code only: the SDK's own message carries request headers and the response body.
    private string Describe(string operation, string name, Exception cause) => cause switch
    {
        RequestFailedException { Status: 0 } => $"Azure Blob {operation} '{name}' in {Location} failed: no response ({cause.InnerException?.Message ?? cause.GetType().Name}).",
        RequestFailedException rfe => $"Azure Blob {operation} '{name}' in {Location} failed: HTTP {rfe.Status} {rfe.ErrorCode ?? "(no error code)"}.",
        _ => $"Azure Blob {operation} '{name}' in {Location} failed: {cause.GetType().Name}: {cause.Message}",
    };
}
