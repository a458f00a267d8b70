using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Files.Shares;
using Azure.Storage.Files.Shares.Models;
using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// A site on an Azure Files share (<c>files.source.type = azureFiles</c>): the components are folders (or files) below
/// <see cref="SiteSourceSettings.Prefix"/> in <see cref="SiteSourceSettings.Share"/>, read over the Files REST API with
/// Azure.Storage.Files.Shares. Sizes, SMB last-write times and file ids come from the listing, so an incremental
/// compare reads no file; content is read in ranges of 4 MiB, never held whole.
/// </summary>
/// <remarks>
/// Azure Files over REST shows no symbolic links (SMB shares have none to list), so nothing is a link here and no
/// component lies below one. Names the server lists are checked before use (<see cref="AzureFilesPaths.IsSafeName"/>):
/// one that is not a plain name is left out and reported as <see cref="FileChange.UnreadableName"/>, never joined into
/// a path. Modes are not kept by SMB shares: files are archived as 0644, folders as 0755.
/// </remarks>
public sealed class AzureFilesSiteSource : ISiteSource
{
    internal const int FileMode = 0b110_100_100; // 0644
    internal const int FolderMode = 0b111_101_101; // 0755

    private static readonly ShareDirectoryGetFilesAndDirectoriesOptions ListOptions = new()
    {
        Traits = ShareFileTraits.Timestamps,
        IncludeExtendedInfo = true,
    };

    private readonly ShareClient _share;
    private readonly string _folder;

    /// <param name="share">The share, with its credential (<see cref="Create"/> makes it from the settings).</param>
    /// <param name="folder">The folder in the share holding the components (<see cref="SiteSourceSettings.Prefix"/>); null or empty for the share's root.</param>
    /// <exception cref="ArgumentException">The folder or a component is not a relative path of plain names.</exception>
    public AzureFilesSiteSource(ShareClient share, string? folder, IReadOnlyList<string> components)
    {
        ArgumentNullException.ThrowIfNull(share);
        ArgumentNullException.ThrowIfNull(components);
        _share = share;
        _folder = AzureFilesPaths.Folder(folder);
        Components = SiteWalker.NormalizeComponents(components);
        foreach (var component in Components)
            _ = AzureFilesPaths.Segments(component, "component");
    }

    /// <summary>The source for <paramref name="settings"/> (type azureFiles): the app's identity or a connection string by app setting.</summary>
    public static AzureFilesSiteSource Create(
        SiteSourceSettings settings, IReadOnlyList<string> components, TokenCredential credential, Func<string, string?> readSetting,
        HttpPipelineTransport? transport = null) =>
        new(AzureFilesPaths.CreateShareClient(settings, credential, readSetting, transport), settings.Prefix, components);

    public IReadOnlyList<string> Components { get; }

    public IEnumerable<SiteEntry> Walk(Action<FileChange> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        var root = AzureFilesPaths.Directory(_share, _folder);
        if (!root.Exists().Value)
            throw new DirectoryNotFoundException($"The folder '{_folder}' of share '{_share.Name}' does not exist.");
        foreach (var component in Components)
        {
            foreach (var entry in VisitComponent(component, skipped))
                yield return entry;
        }
    }

    public SiteFile? OpenFile(string path)
    {
        var file = AzureFilesPaths.File(_share, AzureFilesPaths.InShare(_folder, path, "path"));
        var properties = PropertiesOf(file);
        return properties is null ? null : new AzureFilesSiteFile(file, properties);
    }

    /// <summary>Always null: Azure Files shows no links over REST.</summary>
    public string? ReadLink(string path) => null;

    public IEnumerable<LinkedComponent> ComponentsBelowLinks() => [];

    /// <summary>A component: a folder walked whole, a file, or nothing when it is not there (as a missing local component).</summary>
    private IEnumerable<SiteEntry> VisitComponent(string component, Action<FileChange> skipped)
    {
        var inShare = AzureFilesPaths.InShare(_folder, component, "component");
        var folder = AzureFilesPaths.Directory(_share, inShare);
        ShareDirectoryProperties? folderProperties = null;
        try
        {
            folderProperties = folder.GetProperties().Value;
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGoneOrOtherKind(e))
        {
        }

        if (folderProperties is not null)
        {
            var smb = folderProperties.SmbProperties;
            var listed = new Listed(component, IsFolder: true, 0, AzureFilesPaths.WrittenAt(smb.FileLastWrittenOn, folderProperties.LastModified), smb.FileId);
            return VisitFolder(folder, listed, skipped, fromListing: false);
        }

        var file = AzureFilesPaths.File(_share, inShare);
        var properties = PropertiesOf(file);
        return properties is null ? [] : [FileEntry(component, properties)];
    }

    /// <param name="fromListing">Whether the folder was seen in its parent's listing (gone now: skipped) or named by the config.</param>
    private static IEnumerable<SiteEntry> VisitFolder(ShareDirectoryClient folder, Listed listed, Action<FileChange> skipped, bool fromListing)
    {
        // Listed before the folder is returned, as a local walk opens a folder before it returns it: a folder gone
        // meanwhile is skipped, not archived empty.
        var children = ListChildren(folder, listed.Path, skipped);
        if (children is null)
        {
            if (fromListing)
                skipped(new FileChange(listed.Path, FileChange.Skipped));
            yield break;
        }

        yield return new SiteEntry(listed.Path, FileIndexEntry.DirectoryType, 0, listed.WrittenAt, FolderMode) { Identity = listed.Id };
        foreach (var child in children)
        {
            if (child.IsFolder)
            {
                foreach (var entry in VisitFolder(folder.GetSubdirectoryClient(child.Name), child, skipped, fromListing: true))
                    yield return entry;
            }
            else
            {
                yield return new SiteEntry(child.Path, FileIndexEntry.FileType, child.Size, child.WrittenAt, FileMode) { Identity = child.Id };
            }
        }
    }

    /// <summary>The folder's children in ordinal order (every page of the listing); null when the folder is gone.</summary>
    private static List<Listed>? ListChildren(ShareDirectoryClient folder, string path, Action<FileChange> skipped)
    {
        var children = new List<Listed>();
        try
        {
            foreach (var item in folder.GetFilesAndDirectories(ListOptions))
            {
                if (!AzureFilesPaths.IsSafeName(item.Name))
                {
                    skipped(new FileChange(path + "/" + AzureFilesPaths.Printable(item.Name), FileChange.UnreadableName));
                    continue;
                }
                var writtenAt = AzureFilesPaths.WrittenAt(item.Properties?.LastWrittenOn, item.Properties?.LastModified);
                children.Add(new Listed(path + "/" + item.Name, item.IsDirectory, item.IsDirectory ? 0 : item.FileSize ?? 0, writtenAt, item.Id)
                {
                    Name = item.Name,
                });
            }
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGoneOrOtherKind(e))
        {
            return null;
        }

        children.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        for (var i = 1; i < children.Count; i++)
        {
            // A share answers each name once; a forged listing repeating one would archive it twice.
            if (children[i].Name == children[i - 1].Name)
                throw new IOException($"{path}: the listing names '{AzureFilesPaths.Printable(children[i].Name)}' twice");
        }
        return children;
    }

    private static SiteEntry FileEntry(string path, ShareFileProperties properties) =>
        new(path, FileIndexEntry.FileType, properties.ContentLength, WrittenAt(properties), FileMode) { Identity = properties.SmbProperties.FileId };

    private static DateTimeOffset WrittenAt(ShareFileProperties properties) =>
        AzureFilesPaths.WrittenAt(properties.SmbProperties.FileLastWrittenOn, properties.LastModified);

    /// <summary>The file's properties; null when it is gone or not a file.</summary>
    private static ShareFileProperties? PropertiesOf(ShareFileClient file)
    {
        try
        {
            return file.GetProperties().Value;
        }
        catch (RequestFailedException e) when (AzureFilesPaths.IsGoneOrOtherKind(e))
        {
            return null;
        }
    }

    private sealed record Listed(string Path, bool IsFolder, long Size, DateTimeOffset WrittenAt, string? Id)
    {
        public string Name { get; init; } = "";
    }

    private sealed class AzureFilesSiteFile(ShareFileClient file, ShareFileProperties properties)
        : SiteFile(properties.ContentLength, WrittenAt(properties), FileMode, properties.SmbProperties.FileId)
    {
        public override Stream OpenRead() => new ShareFileRangeStream(file, Length);

        /// <remarks>A file deleted after it was read counts as shrunk to nothing.</remarks>
        public override (long Length, DateTimeOffset ModifiedAt) CurrentState()
        {
            var now = PropertiesOf(file);
            return now is null ? (0, ModifiedAt) : (now.ContentLength, WrittenAt(now));
        }
    }
}
