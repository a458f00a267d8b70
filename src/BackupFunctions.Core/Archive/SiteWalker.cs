using System.Formats.Tar;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The entries of a site in archive order: components in ordinal order, each walked depth-first with a folder before
/// its content and siblings in ordinal order. Symbolic links are reported, never followed. FIFOs, sockets and devices
/// are no part of a site and are skipped.
/// </summary>
internal static class SiteWalker
{
    private static readonly EnumerationOptions Children = new()
    {
        // The defaults skip "hidden" entries, which on Unix means every dotfile (.htaccess!).
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    internal enum Kind
    {
        File,
        Directory,
        SymbolicLink,
    }

    /// <summary>One entry: its '/'-separated name relative to the site root, and what it is.</summary>
    internal sealed record Entry(string Name, Kind Kind, FileSystemInfo Info);

    public static IEnumerable<Entry> Walk(string siteRoot, IReadOnlyList<string> components)
    {
        ArgumentException.ThrowIfNullOrEmpty(siteRoot);
        ArgumentNullException.ThrowIfNull(components);
        var root = Path.GetFullPath(siteRoot);
        foreach (var component in NormalizeComponents(components))
        {
            var path = Path.Combine(root, component.Replace('/', Path.DirectorySeparatorChar));
            FileSystemInfo info = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
            if (!info.Exists && info.LinkTarget is null)
                continue;
            foreach (var entry in WalkFrom(info, component))
                yield return entry;
        }
    }

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

    private static IEnumerable<Entry> WalkFrom(FileSystemInfo info, string name)
    {
        if (info.LinkTarget is not null)
        {
            yield return new Entry(name, Kind.SymbolicLink, info);
            yield break;
        }

        if (info is FileInfo file)
        {
            if (IsRegularFile(file))
                yield return new Entry(name, Kind.File, info);
            yield break;
        }

        yield return new Entry(name, Kind.Directory, info);
        var children = ((DirectoryInfo)info).EnumerateFileSystemInfos("*", Children)
            .OrderBy(child => child.Name, StringComparer.Ordinal);
        foreach (var child in children)
        {
            foreach (var entry in WalkFrom(child, name + "/" + child.Name))
                yield return entry;
        }
    }

    /// <summary>
    /// .NET shows FIFOs, sockets and devices as empty files, and opening a FIFO would block. Only empty files can be
    /// one of those, so for them TarWriter (which lstat()s the path without opening it) tells the real type.
    /// </summary>
    private static bool IsRegularFile(FileInfo file)
    {
        if (file.Length > 0)
            return true;
        try
        {
            using var probe = new MemoryStream();
            using (var writer = new TarWriter(probe, TarEntryFormat.Pax, leaveOpen: true))
                writer.WriteEntry(file.FullName, "probe");
            probe.Position = 0;
            using var reader = new TarReader(probe);
            return reader.GetNextEntry()?.EntryType == TarEntryType.RegularFile;
        }
        catch (IOException)
        {
            // Sockets are refused by TarWriter as unsupported.
            return false;
        }
    }
}
