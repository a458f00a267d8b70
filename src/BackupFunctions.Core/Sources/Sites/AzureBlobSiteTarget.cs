using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Restores;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// A site kept in a blob container under a prefix, written by an in-place restore (<see cref="RemoteInPlaceFileRestore"/>).
/// Blob storage has no folders (they are implied by names) and no rename, so the restore cannot swap a component in one
/// step: it overwrites blob by blob (each upload replaces its blob whole) and deletes the extras, and the pre-restore
/// backup is the way back (see <see cref="RemoteInPlaceFileRestore"/>). No links, no Unix modes; a blob's own
/// Last-Modified is its time.
/// </summary>
/// <remarks>Every path is a plain relative path (no '..', no absolute path) appended to the prefix: nothing outside it is named.</remarks>
public sealed class AzureBlobSiteTarget : ISiteTarget
{
    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <param name="prefix">The blob name prefix holding the components (a folder-like prefix; '/' added); empty: the whole container.</param>
    public AzureBlobSiteTarget(BlobContainerClient container, string? prefix)
    {
        ArgumentNullException.ThrowIfNull(container);
        var trimmed = (prefix ?? "").Trim('/');
        if (trimmed.Length > 0 && !ArchiveEntryRules.IsPlainRelative(trimmed))
            throw new ArgumentException("The prefix must be a plain relative path (no '..', no empty segment).", nameof(prefix));
        _container = container;
        _prefix = trimmed.Length == 0 ? "" : trimmed + "/";
    }

    public bool CanRenameFolders => false;

    public bool CanCreateLinks => false;

    public async IAsyncEnumerable<SiteEntry> ListAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = folder.Length == 0 ? _prefix : Full(folder) + "/";
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, start, cancellationToken))
        {
            var relative = blob.Name[_prefix.Length..];
            // A name the restore could never have written ('//', '..') is not part of the site as paths see it.
            if (!ArchiveEntryRules.IsPlainRelative(relative))
                continue;
            yield return new SiteEntry(relative, FileIndexEntry.FileType, blob.Properties.ContentLength ?? 0,
                blob.Properties.LastModified ?? DateTimeOffset.UnixEpoch, 0);
        }
    }

    public async IAsyncEnumerable<SiteEntry> ListChildrenAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var start = folder.Length == 0 ? _prefix : Full(folder) + "/";
        var children = new List<SiteEntry>();
        await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", start, cancellationToken))
        {
            var relative = (item.IsPrefix ? item.Prefix.TrimEnd('/') : item.Blob.Name)[_prefix.Length..];
            if (!ArchiveEntryRules.IsPlainRelative(relative))
                continue;
            children.Add(item.IsPrefix
                ? new SiteEntry(relative, FileIndexEntry.DirectoryType, 0, DateTimeOffset.UnixEpoch, 0)
                : new SiteEntry(relative, FileIndexEntry.FileType, item.Blob.Properties.ContentLength ?? 0, item.Blob.Properties.LastModified ?? DateTimeOffset.UnixEpoch, 0));
        }
        // The service lists blobs and prefixes each in name order, not merged.
        children.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        foreach (var child in children)
            yield return child;
    }

    public async Task<SiteEntry?> GetEntryAsync(string path, CancellationToken cancellationToken)
    {
        if (path.Length > 0)
        {
            try
            {
                var properties = await _container.GetBlobClient(Full(path)).GetPropertiesAsync(cancellationToken: cancellationToken);
                return new SiteEntry(path, FileIndexEntry.FileType, properties.Value.ContentLength, properties.Value.LastModified, 0);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
            }
        }

        // A folder exists where some blob's name continues below it.
        var below = path.Length == 0 ? _prefix : Full(path) + "/";
        await foreach (var page in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, below, cancellationToken).AsPages(pageSizeHint: 1))
            return page.Values.Count > 0 ? new SiteEntry(path, FileIndexEntry.DirectoryType, 0, DateTimeOffset.UnixEpoch, 0) : null;
        return null;
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await _container.GetBlobClient(Full(path)).OpenReadAsync(new BlobOpenReadOptions(allowModifications: false), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw new FileNotFoundException($"{path}: not a file in the site", ex);
        }
    }

    public Task CreateFolderAsync(string path, CancellationToken cancellationToken)
    {
        // Folders are implied by blob names.
        if (path.Length > 0)
            _ = Full(path);
        return Task.CompletedTask;
    }

    /// <summary>Blob storage has no folders to give a time or a mode.</summary>
    public Task SetFolderAttributesAsync(string path, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken)
    {
        if (path.Length > 0)
            _ = Full(path);
        return Task.CompletedTask;
    }

    public async Task WriteFileAsync(string path, Stream content, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken)
    {
        // One upload (blocks committed at its end): readers see the old blob or the new one, never half of it; the
        // content stream is read through once, in blocks, never held whole.
        await _container.GetBlobClient(Full(path)).UploadAsync(content, new BlobUploadOptions(), cancellationToken);
    }

    public Task CreateLinkAsync(string path, string target, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Blob storage keeps no symbolic links.");

    public async Task DeleteFileAsync(string path, CancellationToken cancellationToken) =>
        await _container.GetBlobClient(Full(path)).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);

    public async Task DeleteFolderAsync(string path, CancellationToken cancellationToken)
    {
        // Deleted while listed: the listing continues after the last name returned, so nothing is held.
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Full(path) + "/", cancellationToken))
            await _container.GetBlobClient(blob.Name).DeleteIfExistsAsync(DeleteSnapshotsOption.IncludeSnapshots, cancellationToken: cancellationToken);
    }

    public Task RenameFolderAsync(string path, string newPath, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Blob storage has no folders to rename.");

    private string Full(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!ArchiveEntryRules.IsPlainRelative(path))
            throw new ArgumentException($"'{path}' is not a plain relative path below the site's prefix.", nameof(path));
        return _prefix + path;
    }
}
