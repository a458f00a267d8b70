using Microsoft.Win32.SafeHandles;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The entries of a site in archive order: components in ordinal order, each walked depth-first with a folder before
/// its content and siblings in ordinal order. Symbolic links are reported, never followed. FIFOs, sockets and devices
/// are no part of a site and are skipped.
/// </summary>
/// <remarks>
/// On Linux and macOS the walk goes through handles (<see cref="HandleSiteWalk"/>): a site that swaps an entry for a
/// symbolic link while it runs cannot make it read anything outside the root. Elsewhere (Windows, where backupctl may
/// run but the service never does) it goes by path as it always did (<see cref="PathSiteWalk"/>), which such a swap can
/// mislead.
/// </remarks>
internal static class SiteWalker
{
    internal enum Kind
    {
        File,
        Directory,
        SymbolicLink,
    }

    /// <summary>
    /// One entry: its '/'-separated name relative to the site root, what it is, and its mode, time and size (files)
    /// as they were when it was opened (or, for a scan and for links, listed).
    /// </summary>
    internal sealed record Entry(string Name, Kind Kind, UnixFileMode Mode, DateTimeOffset ModifiedAt, long Size)
    {
        /// <summary>Where a link points, exactly as stored in it.</summary>
        public string? LinkTarget { get; init; }

        /// <summary>
        /// A file's open handle when the walk opens files: owned by the walk and closed when it moves on, so read it
        /// before asking for the next entry.
        /// </summary>
        public SafeFileHandle? Content { get; init; }

        /// <summary>The name held another file than the listing saw (it was replaced meanwhile); Content is the new one.</summary>
        public bool Replaced { get; init; }

        /// <summary>Which file this is (device and inode), to tell a file replaced between two looks; null where unknown.</summary>
        public string? Identity { get; init; }
    }

    /// <summary>A file's length and modification time, from its open handle.</summary>
    internal readonly record struct FileState(long Length, DateTimeOffset ModifiedAt);

    /// <summary>Which walk this platform gets (tests compare the two).</summary>
    internal static bool UsesHandles => OperatingSystem.IsLinux() || OperatingSystem.IsMacOS();

    /// <summary>
    /// Walks the components. With <paramref name="openFiles"/>, each file comes with its open <see cref="Entry.Content"/>
    /// and its state at open; entries that changed kind or vanished between the listing and the open are not returned
    /// but handed to <paramref name="skipped"/>.
    /// </summary>
    public static IEnumerable<Entry> Walk(string siteRoot, IReadOnlyList<string> components, bool openFiles = false, Action<FileChange>? skipped = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(siteRoot);
        ArgumentNullException.ThrowIfNull(components);
        var root = Path.GetFullPath(siteRoot);
        var normalized = NormalizeComponents(components);
        return UsesHandles
            ? HandleSiteWalk.Walk(root, normalized, openFiles, skipped ?? (_ => { }))
            : PathSiteWalk.Walk(root, normalized, openFiles, skipped ?? (_ => { }));
    }

    /// <summary>
    /// Opens one file of the site by its '/'-separated path below the root, following no link on the way (on Linux and
    /// macOS each folder is opened relative to its parent with O_NOFOLLOW). Null when it is gone, or no longer a regular
    /// file reachable without a link: the caller reports it as skipped. The caller owns <see cref="Entry.Content"/>.
    /// </summary>
    public static Entry? OpenFile(string siteRoot, string path) =>
        UsesHandles ? HandleSiteWalk.OpenFile(Path.GetFullPath(siteRoot), path) : PathSiteWalk.OpenFile(Path.GetFullPath(siteRoot), path);

    /// <summary>Where the link at <paramref name="path"/> points now; null when it is gone or no longer a link.</summary>
    public static string? ReadLink(string siteRoot, string path) =>
        UsesHandles ? HandleSiteWalk.ReadLink(Path.GetFullPath(siteRoot), path) : PathSiteWalk.ReadLink(Path.GetFullPath(siteRoot), path);

    /// <summary>The length and modification time of an open file now (fstat of the handle).</summary>
    public static FileState StateOf(SafeFileHandle file) =>
        UsesHandles ? HandleSiteWalk.StateOf(file) : new FileState(RandomAccess.GetLength(file), File.GetLastWriteTimeUtc(file));

    /// <summary>Components as '/'-separated relative paths, ordinal order, without duplicates or nested repeats.</summary>
    internal static List<string> NormalizeComponents(IReadOnlyList<string> components)
    {
        var normalized = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var component in components)
        {
            var segments = (component ?? "").Split('/', '\\', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length == 0 || Path.IsPathRooted(component) || segments.Any(s => s is "." or ".."))
                throw new ArgumentException($"component '{component}' must be a relative path inside the site root", nameof(components));
            normalized.Add(string.Join('/', segments));
        }

        var result = new List<string>();
        foreach (var component in normalized)
        {
            if (!result.Exists(outer => component.StartsWith(outer + "/", StringComparison.Ordinal)))
                result.Add(component);
        }

        return result;
    }
}
