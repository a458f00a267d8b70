using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// A site in a blob container under a prefix (<c>files.source.type</c> <c>azureBlob</c>): blob
/// <c>&lt;prefix&gt;&lt;component&gt;/&lt;path&gt;</c> is the site's file <c>&lt;component&gt;/&lt;path&gt;</c>. Blob
/// Storage has no folders: they are implied by the names and synthesized here, so the walk keeps the order
/// <see cref="ISiteSource"/> promises (a folder before its content, siblings in ordinal order).
/// </summary>
/// <remarks>
/// <para>Each folder is listed on its own (one hierarchical listing, delimiter '/') and its names sorted ordinally,
/// as the local walk does: the service lists in its own order ('a.txt' before 'a/b'), and a depth-first ordinal walk
/// of a flat listing would have to hold the whole listing. Memory stays one folder's names per depth level.</para>
/// <para>What a blob gives cheaply goes into the entry: size, Last-Modified (the incremental compare's time) and the
/// ETag as <see cref="SiteEntry.Identity"/>: a blob overwritten between the listing and the read is read as it is then
/// and marked replaced, and the read itself is pinned to that ETag. Content-MD5 is not used to compare: the file index
/// (the stored format) has no place for it, and SHA-256 is what <c>incremental.compare: hash</c> compares.</para>
/// <para>Names no file system can hold — an empty, <c>.</c> or <c>..</c> segment, a backslash or a control character
/// — are left out and reported as skipped; so is a blob whose name is also a folder's (<c>a</c> beside <c>a/b</c>).
/// Blob Storage has no links, modes or owners: files are 0644, folders 0755; a folder's time is its newest child's.</para>
/// </remarks>
public sealed class AzureBlobSiteSource : ISiteSource
{
    /// <summary>rw-r--r--.</summary>
    public const int FileMode = 0x1A4;

    /// <summary>rwxr-xr-x.</summary>
    public const int FolderMode = 0x1ED;

    private readonly BlobContainerClient _container;
    private readonly string _prefix;

    /// <param name="prefix">The blob name prefix holding the components ("" or a folder path; a trailing '/' is added).</param>
    public AzureBlobSiteSource(BlobContainerClient container, string? prefix, IReadOnlyList<string> components)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(components);
        _container = container;
        var trimmed = (prefix ?? "").Trim('/');
        _prefix = trimmed.Length == 0 ? "" : trimmed + "/";
        Components = SiteWalker.NormalizeComponents(components);
    }

    public IReadOnlyList<string> Components { get; }

    public IEnumerable<SiteEntry> Walk(Action<FileChange> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        foreach (var component in Components)
        {
            var slash = component.LastIndexOf('/');
            var parent = slash < 0 ? "" : component[..slash];
            var name = component[(slash + 1)..];
            // The component as its parent folder lists it: a folder (its names under "component/"), or a single blob.
            Child? found = null;
            foreach (var child in List(parent, name, skipped))
            {
                if (child.Name == name)
                    found = child;
            }
            if (found is not { } entry)
                continue; // a missing component is simply not there
            foreach (var item in Visit(component, entry, skipped))
                yield return item;
        }
    }

    public SiteFile? OpenFile(string path)
    {
        if (!IsSafePath(path))
            return null;
        var blob = _container.GetBlobClient(_prefix + path);
        BlobProperties properties;
        try
        {
            properties = blob.GetProperties().Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
        return new BlobSiteFile(blob, properties);
    }

    /// <summary>Blob Storage has no links.</summary>
    public string? ReadLink(string path) => null;

    /// <summary>Blob Storage has no links, so no component is below one.</summary>
    public IEnumerable<LinkedComponent> ComponentsBelowLinks() => [];

    private IEnumerable<SiteEntry> Visit(string path, Child child, Action<FileChange> skipped)
    {
        if (child.Blob is { } blob)
        {
            yield return new SiteEntry(path, FileIndexEntry.FileType, blob.Properties.ContentLength ?? 0,
                blob.Properties.LastModified ?? DateTimeOffset.UnixEpoch, FileMode)
            {
                Identity = blob.Properties.ETag?.ToString(),
            };
            yield break;
        }

        var children = List(path, null, skipped);
        var newest = children.Where(c => c.Blob is not null).Select(c => c.Blob!.Properties.LastModified ?? DateTimeOffset.UnixEpoch)
            .DefaultIfEmpty(DateTimeOffset.UnixEpoch).Max();
        yield return new SiteEntry(path, FileIndexEntry.DirectoryType, 0, newest, FolderMode);
        foreach (var item in children)
        {
            foreach (var entry in Visit(path + "/" + item.Name, item, skipped))
                yield return entry;
        }
    }

    /// <summary>
    /// The children of <paramref name="folder"/> (site path, "" for the root), in ordinal order; with
    /// <paramref name="only"/>, only the names starting with it are asked for.
    /// </summary>
    private List<Child> List(string folder, string? only, Action<FileChange> skipped)
    {
        var listed = _prefix + (folder.Length == 0 ? "" : folder + "/");
        var blobs = new Dictionary<string, BlobItem>(StringComparer.Ordinal);
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in _container.GetBlobsByHierarchy(BlobTraits.None, BlobStates.None, "/", listed + (only ?? "")))
        {
            // A prefix ends with the delimiter; "folder//" gives an empty name, refused below.
            var name = item.IsPrefix ? item.Prefix[listed.Length..^1] : item.Blob.Name[listed.Length..];
            var path = folder.Length == 0 ? name : folder + "/" + name;
            if (!IsSafeName(name))
            {
                skipped(new FileChange(path, FileChange.Skipped));
                continue;
            }
            if (item.IsPrefix)
                folders.Add(name);
            else
                blobs[name] = item.Blob;
        }
        var children = new List<Child>(blobs.Count + folders.Count);
        foreach (var name in folders)
        {
            if (blobs.Remove(name))
                skipped(new FileChange(folder.Length == 0 ? name : folder + "/" + name, FileChange.Skipped)); // a blob named like a folder
            children.Add(new Child(name, null));
        }
        children.AddRange(blobs.Select(b => new Child(b.Key, b.Value)));
        children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return children;
    }

    private static bool IsSafeName(string name) =>
        name.Length > 0 && name is not ("." or "..") && !name.Contains('\\') && !name.Any(char.IsControl) && !name.Contains('/');

    private bool IsSafePath(string path) =>
        !string.IsNullOrEmpty(path) && path.Split('/').All(IsSafeName)
        && Components.Any(c => path == c || path.StartsWith(c + "/", StringComparison.Ordinal));

    /// <summary>A listed name: a folder (<see cref="Blob"/> null) or a blob.</summary>
    private readonly record struct Child(string Name, BlobItem? Blob);

    private sealed class BlobSiteFile(BlobClient blob, BlobProperties properties)
        : SiteFile(properties.ContentLength, properties.LastModified, FileMode, properties.ETag.ToString())
    {
        private Stream? _content;

        /// <remarks>Pinned to the ETag seen when opened: a blob overwritten meanwhile fails the read rather than mixing versions.</remarks>
        public override Stream OpenRead()
        {
            _content = blob.DownloadStreaming(new BlobDownloadOptions
            {
                Conditions = new BlobRequestConditions { IfMatch = properties.ETag },
            }).Value.Content;
            return _content;
        }

        public override (long Length, DateTimeOffset ModifiedAt) CurrentState()
        {
            try
            {
                var now = blob.GetProperties().Value;
                return (now.ContentLength, now.LastModified);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return (-1, DateTimeOffset.MinValue); // gone: changed, whatever was read
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _content?.Dispose();
            base.Dispose(disposing);
        }
    }
}
