using System.Buffers;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Files.Shares;
using Azure.Storage.Files.Shares.Models;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Restores;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// An in-place restore's writes to a site on an Azure Files share: folders rename on the server
/// (<see cref="ShareDirectoryClient.RenameAsync(string, ShareFileRenameOptions, CancellationToken)"/>), so a restore
/// stages and swaps as it does locally. Every path is confined below the share folder the source reads.
/// </summary>
/// <remarks>
/// A file is written as the service wants it: created at its final length, filled in ranges of at most 4 MiB read from
/// the content one at a time, then given its last-write time (writing ranges moves it). SMB shares keep no links and
/// no Unix modes: <see cref="CanCreateLinks"/> is false and the mode is not kept.
/// </remarks>
public sealed class AzureFilesSiteTarget : ISiteTarget
{
    private readonly ShareClient _share;
    private readonly string _folder;

    /// <param name="share">The share, with its credential (<see cref="Create"/> makes it from the settings).</param>
    /// <param name="folder">The folder in the share holding the components; null or empty for the share's root.</param>
    /// <exception cref="ArgumentException">The folder is not a relative path of plain names.</exception>
    public AzureFilesSiteTarget(ShareClient share, string? folder)
    {
        ArgumentNullException.ThrowIfNull(share);
        _share = share;
        _folder = AzureFilesPaths.Folder(folder);
    }

    /// <summary>The target for <paramref name="settings"/> (type azureFiles): the app's identity or a connection string by app setting.</summary>
    public static AzureFilesSiteTarget Create(
        SiteSourceSettings settings, TokenCredential credential, Func<string, string?> readSetting, HttpPipelineTransport? transport = null) =>
        new(AzureFilesPaths.CreateShareClient(settings, credential, readSetting, transport), settings.Prefix);

    public bool CanRenameFolders => true;

    public bool CanCreateLinks => false;

    public async IAsyncEnumerable<SiteEntry> ListAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // "" is the site's root (the share folder itself): the restore lists it to find its own staging leftovers.
        var relative = string.IsNullOrEmpty(folder) ? "" : string.Join('/', AzureFilesPaths.Segments(folder, "folder"));
        var client = relative.Length == 0 ? _share.GetDirectoryClient(_folder) : Folder(folder);
        await foreach (var entry in ListFolderAsync(client, relative, recursive: true, cancellationToken))
            yield return entry;
    }

    public async IAsyncEnumerable<SiteEntry> ListChildrenAsync(string folder, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var relative = string.IsNullOrEmpty(folder) ? "" : string.Join('/', AzureFilesPaths.Segments(folder, "folder"));
        var client = relative.Length == 0 ? _share.GetDirectoryClient(_folder) : Folder(folder);
        await foreach (var entry in ListFolderAsync(client, relative, recursive: false, cancellationToken))
            yield return entry;
    }

    public async Task<SiteEntry?> GetEntryAsync(string path, CancellationToken cancellationToken)
    {
        var relative = string.Join('/', AzureFilesPaths.Segments(path, "path"));
        // A share holds files and folders only (no links over REST): one of the two, or nothing.
        try
        {
            var file = (await File(path).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new SiteEntry(relative, FileIndexEntry.FileType, file.ContentLength,
                AzureFilesPaths.WrittenAt(file.SmbProperties.FileLastWrittenOn, file.LastModified), AzureFilesSiteSource.FileMode);
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGoneOrOtherKind(e))
        {
        }
        try
        {
            var folder = (await Folder(path).GetPropertiesAsync(cancellationToken)).Value;
            return new SiteEntry(relative, FileIndexEntry.DirectoryType, 0,
                AzureFilesPaths.WrittenAt(folder.SmbProperties.FileLastWrittenOn, folder.LastModified), AzureFilesSiteSource.FolderMode);
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGoneOrOtherKind(e))
        {
            return null;
        }
    }

    public async Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken)
    {
        var file = File(path);
        try
        {
            var properties = (await file.GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            // Ranged reads of the length it has now, as the source reads files (never the whole file in memory).
            return new ShareFileRangeStream(file, properties.ContentLength);
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGoneOrOtherKind(e))
        {
            throw new FileNotFoundException($"{path} is not a file on the share.", e);
        }
    }

    public async Task CreateFolderAsync(string path, CancellationToken cancellationToken)
    {
        var segments = AzureFilesPaths.Segments(path, "folder");
        var current = _folder;
        foreach (var segment in segments)
        {
            current = current.Length == 0 ? segment : current + "/" + segment;
            await _share.GetDirectoryClient(current).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }

    public async Task WriteFileAsync(string path, Stream content, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var file = File(path);
        long? known = content.CanSeek ? content.Length - content.Position : null;
        await file.CreateAsync(known ?? 0, cancellationToken: cancellationToken);

        var buffer = ArrayPool<byte>.Shared.Rent(AzureFilesPaths.RangeBytes);
        try
        {
            long position = 0;
            while (true)
            {
                var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, AzureFilesPaths.RangeBytes), AzureFilesPaths.RangeBytes, throwOnEndOfStream: false, cancellationToken);
                if (filled == 0)
                    break;
                if (known is null || position + filled > known)
                {
                    // A stream that does not tell its length: the file grows one range at a time.
                    known = null;
                    await file.SetHttpHeadersAsync(new ShareFileSetHttpHeadersOptions { NewSize = position + filled }, conditions: null, cancellationToken);
                }
                using var range = new MemoryStream(buffer, 0, filled, writable: false);
                await file.UploadRangeAsync(new HttpRange(position, filled), range, cancellationToken: cancellationToken);
                position += filled;
            }

            // Shorter than it said: the file ends where the content did, not with zeros.
            var options = new ShareFileSetHttpHeadersOptions { SmbProperties = new FileSmbProperties { FileLastWrittenOn = modifiedAt } };
            if (known is { } promised && position != promised)
                options.NewSize = position;
            await file.SetHttpHeadersAsync(options, conditions: null, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The folder's last-write time (SMB); a share keeps no Unix modes over REST.</summary>
    public async Task SetFolderAttributesAsync(string path, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken) =>
        await Folder(path).SetHttpHeadersAsync(new ShareDirectorySetHttpHeadersOptions { SmbProperties = new FileSmbProperties { FileLastWrittenOn = modifiedAt } }, cancellationToken);

    public Task CreateLinkAsync(string path, string target, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Azure Files keeps no symbolic links (CanCreateLinks is false).");

    public async Task DeleteFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await File(path).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGone(e))
        {
            // A folder on the way is gone: so is the file.
        }
    }

    public async Task DeleteFolderAsync(string path, CancellationToken cancellationToken)
    {
        var folder = Folder(path);
        List<ShareFileItem> children = [];
        try
        {
            await foreach (var item in folder.GetFilesAndDirectoriesAsync(cancellationToken: cancellationToken))
                children.Add(item);
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGone(e))
        {
            return;
        }

        var relative = string.Join('/', AzureFilesPaths.Segments(path, "folder"));
        foreach (var child in children)
        {
            if (!AzureFilesPaths.IsSafeName(child.Name))
                throw new IOException($"{relative}: the listing names '{AzureFilesPaths.Printable(child.Name)}', which is not a plain name; the folder is left as it is");
            if (child.IsDirectory)
                await DeleteFolderAsync(relative + "/" + child.Name, cancellationToken);
            else
                await folder.GetFileClient(child.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        await folder.DeleteIfExistsAsync(cancellationToken);
    }

    public async Task RenameFolderAsync(string path, string newPath, CancellationToken cancellationToken)
    {
        var destination = AzureFilesPaths.InShare(_folder, newPath, "folder");
        await Folder(path).RenameAsync(destination, new ShareFileRenameOptions { ReplaceIfExists = false }, cancellationToken);
    }

    /// <summary>The folder's content, folders before their content, siblings in ordinal order.</summary>
    private static async IAsyncEnumerable<SiteEntry> ListFolderAsync(
        ShareDirectoryClient folder, string relative, bool recursive, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var children = new List<ShareFileItem>();
        try
        {
            var options = new ShareDirectoryGetFilesAndDirectoriesOptions { Traits = ShareFileTraits.Timestamps, IncludeExtendedInfo = true };
            await foreach (var item in folder.GetFilesAndDirectoriesAsync(options, cancellationToken))
            {
                if (!AzureFilesPaths.IsSafeName(item.Name))
                    throw new IOException($"{relative}: the listing names '{AzureFilesPaths.Printable(item.Name)}', which is not a plain name");
                children.Add(item);
            }
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGone(e))
        {
            yield break;
        }

        children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var child in children)
        {
            var path = relative.Length == 0 ? child.Name : relative + "/" + child.Name;
            var writtenAt = AzureFilesPaths.WrittenAt(child.Properties?.LastWrittenOn, child.Properties?.LastModified);
            if (child.IsDirectory)
            {
                yield return new SiteEntry(path, FileIndexEntry.DirectoryType, 0, writtenAt, AzureFilesSiteSource.FolderMode) { Identity = child.Id };
                if (!recursive)
                    continue;
                await foreach (var entry in ListFolderAsync(folder.GetSubdirectoryClient(child.Name), path, recursive, cancellationToken))
                    yield return entry;
            }
            else
            {
                yield return new SiteEntry(path, FileIndexEntry.FileType, child.FileSize ?? 0, writtenAt, AzureFilesSiteSource.FileMode) { Identity = child.Id };
            }
        }
    }

    private ShareDirectoryClient Folder(string path) => _share.GetDirectoryClient(AzureFilesPaths.InShare(_folder, path, "folder"));

    private ShareFileClient File(string path) => AzureFilesPaths.File(_share, AzureFilesPaths.InShare(_folder, path, "path"));
}
