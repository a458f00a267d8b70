using Microsoft.Win32.SafeHandles;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The site walk by path, for platforms without <see cref="HandleSiteWalk"/> (Windows: backupctl only; the service
/// runs on Linux). It checks whether an entry is a link and then opens it by path, so a site that swaps an entry for a
/// link in between can make it read outside the root; that is why Linux and macOS do not use it.
/// </summary>
internal static class PathSiteWalk
{
    private static readonly EnumerationOptions Children = new()
    {
        // The defaults skip "hidden" entries, which on Unix means every dotfile (.htaccess!).
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode DefaultDirectoryMode =
        DefaultFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    public static IEnumerable<SiteWalker.Entry> Walk(string root, List<string> components, bool openFiles, Action<FileChange> skipped)
    {
        foreach (var component in components)
        {
            var path = Path.Combine(root, component.Replace('/', Path.DirectorySeparatorChar));
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists && info.LinkTarget is null)
                continue;
            foreach (var entry in WalkFrom(info, component, openFiles, skipped))
                yield return entry;
        }
    }

    private static IEnumerable<SiteWalker.Entry> WalkFrom(FileSystemInfo info, string name, bool openFiles, Action<FileChange> skipped)
    {
        var modifiedAt = new DateTimeOffset(info.LastWriteTimeUtc);
        if (info.LinkTarget is { } target)
        {
            yield return new SiteWalker.Entry(name, SiteWalker.Kind.SymbolicLink, 0, modifiedAt, 0) { LinkTarget = target };
            yield break;
        }

        if (info is FileInfo file)
        {
            if (!openFiles)
            {
                yield return new SiteWalker.Entry(name, SiteWalker.Kind.File, ModeOf(info, DefaultFileMode), modifiedAt, file.Length);
                yield break;
            }

            SafeFileHandle content;
            try
            {
                content = File.OpenHandle(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                skipped(new FileChange(name, FileChange.Skipped));
                yield break;
            }

            using (content)
            {
                yield return new SiteWalker.Entry(name, SiteWalker.Kind.File, ModeOf(info, DefaultFileMode), modifiedAt, RandomAccess.GetLength(content))
                {
                    Content = content,
                };
            }
            yield break;
        }

        yield return new SiteWalker.Entry(name, SiteWalker.Kind.Directory, ModeOf(info, DefaultDirectoryMode), modifiedAt, 0);
        var children = ((DirectoryInfo)info).EnumerateFileSystemInfos("*", Children)
            .OrderBy(child => child.Name, StringComparer.Ordinal);
        foreach (var child in children)
        {
            foreach (var entry in WalkFrom(child, name + "/" + child.Name, openFiles, skipped))
                yield return entry;
        }
    }

    /// <summary>One file by path (a link on the way is followed: see the class remarks); null when gone or not a file.</summary>
    public static SiteWalker.Entry? OpenFile(string root, string path)
    {
        var info = new FileInfo(Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar)));
        if (!info.Exists || info.LinkTarget is not null)
            return null;
        SafeFileHandle content;
        try
        {
            content = File.OpenHandle(info.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        return new SiteWalker.Entry(path, SiteWalker.Kind.File, ModeOf(info, DefaultFileMode), new DateTimeOffset(info.LastWriteTimeUtc), RandomAccess.GetLength(content))
        {
            Content = content,
        };
    }

    /// <summary>Where the link at <paramref name="path"/> points; null when gone or not a link.</summary>
    public static string? ReadLink(string root, string path) =>
        new FileInfo(Path.Combine(root, path.Replace('/', Path.DirectorySeparatorChar))).LinkTarget;

    private static UnixFileMode ModeOf(FileSystemInfo info, UnixFileMode windowsDefault) =>
        OperatingSystem.IsWindows() ? windowsDefault : info.UnixFileMode;
}
