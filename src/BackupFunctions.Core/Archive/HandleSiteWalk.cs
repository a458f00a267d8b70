using System.Text;
using Microsoft.Win32.SafeHandles;
using Mono.Unix;
using Mono.Unix.Native;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The site walk on Linux and macOS, safe against a site that swaps its entries for symbolic links while it runs (a
/// link to <c>/etc</c> where a folder was, to another tenant's file where a file was). Nothing below the root is ever
/// looked up by path:
/// <list type="bullet">
/// <item>the root is opened once; every component segment and folder is opened relative to its parent's handle with
/// <c>openat(O_DIRECTORY | O_NOFOLLOW)</c>;</item>
/// <item>a folder is listed through its own handle (<c>fdopendir</c>/<c>readdir</c>), its children judged with
/// <c>fstatat(AT_SYMLINK_NOFOLLOW)</c>, links read with <c>readlinkat</c>;</item>
/// <item>a file is opened with <c>openat(O_NOFOLLOW | O_NONBLOCK)</c> (a FIFO swapped in cannot block), and the
/// opened handle is checked with <c>fstat</c>: a regular file, and the same device and inode as listed.</item>
/// </list>
/// A link swapped in at any moment is therefore at worst seen, and stored, as a link. An entry that changed kind or
/// vanished between the listing and the open is skipped and reported; a file or folder replaced by another one under
/// the same name is archived as opened (it is in the folder the walk holds) and marked <see cref="SiteWalker.Entry.Replaced"/>.
/// </summary>
/// <remarks>
/// The calls come from Mono.Unix, which translates flags and <c>struct stat</c> per OS and architecture (O_NOFOLLOW
/// and O_DIRECTORY differ between x64 and arm64 Linux; macOS differs again). Folders are listed with fdopendir/readdir
/// rather than by enumerating <c>/proc/self/fd/N</c>: that needs procfs mounted, is Linux-only, and would still resolve
/// a path. At most one folder handle per depth level is open (plus the root, the component's parents and one file),
/// however big the site.
/// </remarks>
internal static class HandleSiteWalk
{
    private const OpenFlags FolderFlags = OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC;
    private const OpenFlags FileFlags = OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK;
    private const int PermissionBits = 0xFFF; // rwx for user, group, other, plus setuid, setgid and sticky

    public static IEnumerable<SiteWalker.Entry> Walk(string root, List<string> components, bool openFiles, Action<FileChange> skipped)
    {
        // The root itself is opened by path, links followed: it is the operator's (or the confinement check's) choice,
        // not the site's, and deployments often point it through a "current" link.
        var rootFolder = Syscall.open(root, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        if (rootFolder < 0)
            throw Failure(Stdlib.GetLastError(), root, "open the site root");
        try
        {
            foreach (var component in components)
            {
                var segments = component.Split('/');
                var parents = new List<int>(segments.Length - 1);
                try
                {
                    // A component under folders ("wp-content/uploads"): each folder on the way is opened without
                    // following links too; if one is missing or is a link, the component is skipped like a missing one.
                    var parent = rootFolder;
                    for (var i = 0; i < segments.Length - 1; i++)
                    {
                        parent = Syscall.openat(parent, segments[i], FolderFlags);
                        if (parent < 0)
                        {
                            var errno = Stdlib.GetLastError();
                            if (IsRace(errno))
                                break;
                            throw Failure(errno, component, "open");
                        }
                        parents.Add(parent);
                    }
                    if (parent < 0)
                        continue;

                    foreach (var entry in Visit(parent, segments[^1], component, openFiles, skipped, listed: false))
                        yield return entry;
                }
                finally
                {
                    foreach (var folder in parents)
                        _ = Syscall.close(folder); // read-only handles: closing them cannot lose data
                }
            }
        }
        finally
        {
            _ = Syscall.close(rootFolder);
        }
    }

    /// <summary>
    /// One file by path, opened as the walk opens it: the root by path, then every folder on the way relative to its
    /// parent with O_NOFOLLOW, so a link swapped in anywhere below the root makes it null (skipped), never followed.
    /// </summary>
    public static SiteWalker.Entry? OpenFile(string root, string path)
    {
        var segments = path.Split('/');
        var folders = new List<int>(segments.Length);
        try
        {
            var parent = OpenParent(root, segments, path, folders);
            if (parent < 0)
                return null;
            var descriptor = Syscall.openat(parent, segments[^1], FileFlags);
            if (descriptor < 0)
            {
                var errno = Stdlib.GetLastError();
                return IsRace(errno) ? null : throw Failure(errno, path, "open");
            }
            var file = new SafeFileHandle(descriptor, ownsHandle: true);
            try
            {
                if (Syscall.fstat(descriptor, out var opened) < 0)
                    throw Failure(Stdlib.GetLastError(), path, "fstat");
                if ((opened.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
                {
                    file.Dispose();
                    return null;
                }
                _ = Syscall.posix_fadvise(descriptor, 0, 0, PosixFadviseAdvice.POSIX_FADV_SEQUENTIAL); // a hint; macOS has none
                return Entry(path, SiteWalker.Kind.File, opened) with { Content = file };
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var folder in folders)
                _ = Syscall.close(folder); // read-only handles: closing them cannot lose data
        }
    }

    /// <summary>The target of one link by path, its folders opened as in <see cref="OpenFile"/>; null when gone or not a link.</summary>
    public static string? ReadLink(string root, string path)
    {
        var segments = path.Split('/');
        var folders = new List<int>(segments.Length);
        try
        {
            var parent = OpenParent(root, segments, path, folders);
            return parent < 0 ? null : ReadLink(parent, segments[^1], path);
        }
        finally
        {
            foreach (var folder in folders)
                _ = Syscall.close(folder);
        }
    }

    /// <summary>Opens the root and each folder above the last segment (handles added to <paramref name="opened"/>); -1 on a race.</summary>
    private static int OpenParent(string root, string[] segments, string path, List<int> opened)
    {
        var parent = Syscall.open(root, OpenFlags.O_RDONLY | OpenFlags.O_DIRECTORY | OpenFlags.O_CLOEXEC);
        if (parent < 0)
            throw Failure(Stdlib.GetLastError(), root, "open the site root");
        opened.Add(parent);
        for (var i = 0; i < segments.Length - 1; i++)
        {
            parent = Syscall.openat(parent, segments[i], FolderFlags);
            if (parent < 0)
            {
                var errno = Stdlib.GetLastError();
                return IsRace(errno) ? -1 : throw Failure(errno, path, "open");
            }
            opened.Add(parent);
        }
        return parent;
    }

    public static SiteWalker.FileState StateOf(SafeFileHandle file)
    {
        if (Syscall.fstat((int)file.DangerousGetHandle(), out var stat) < 0)
            throw Failure(Stdlib.GetLastError(), "(open file)", "fstat");
        return new SiteWalker.FileState(stat.st_size, ModifiedAt(stat));
    }

    /// <param name="listed">Whether the name came from a listing (a child) rather than from the config (a component).</param>
    private static IEnumerable<SiteWalker.Entry> Visit(int parent, string name, string path, bool openFiles, Action<FileChange> skipped, bool listed)
    {
        if (Syscall.fstatat(parent, name, out var seen, AtFlags.AT_SYMLINK_NOFOLLOW) < 0)
        {
            var errno = Stdlib.GetLastError();
            if (!IsRace(errno))
                throw Failure(errno, path, "fstatat");
            // A missing component is simply not there; a child that was listed and is gone changed under the walk.
            if (listed)
                skipped(new FileChange(path, FileChange.Skipped));
            return [];
        }

        return (seen.st_mode & FilePermissions.S_IFMT) switch
        {
            FilePermissions.S_IFDIR => VisitFolder(parent, name, path, seen, openFiles, skipped),
            FilePermissions.S_IFLNK => VisitLink(parent, name, path, seen, skipped),
            FilePermissions.S_IFREG => openFiles ? VisitFile(parent, name, path, seen, skipped) : [Entry(path, SiteWalker.Kind.File, seen)],
            _ => [], // FIFOs, sockets and devices are no part of a site
        };
    }

    private static IEnumerable<SiteWalker.Entry> VisitFolder(int parent, string name, string path, Stat seen, bool openFiles, Action<FileChange> skipped)
    {
        var folder = Syscall.openat(parent, name, FolderFlags);
        if (folder < 0)
        {
            var errno = Stdlib.GetLastError();
            if (!IsRace(errno))
                throw Failure(errno, path, "open");
            skipped(new FileChange(path, FileChange.Skipped)); // now a link or a file, or gone
            yield break;
        }

        var listing = IntPtr.Zero;
        try
        {
            if (Syscall.fstat(folder, out var opened) < 0)
                throw Failure(Stdlib.GetLastError(), path, "fstat");
            yield return Entry(path, SiteWalker.Kind.Directory, opened) with { Replaced = !SameFile(seen, opened) };

            listing = Syscall.fdopendir(folder); // takes the handle over: closedir closes it
            if (listing == IntPtr.Zero)
                throw Failure(Stdlib.GetLastError(), path, "fdopendir");
            var handle = Syscall.dirfd(listing);
            foreach (var child in Children(listing, path))
            {
                foreach (var entry in Visit(handle, child, path + "/" + child, openFiles, skipped, listed: true))
                    yield return entry;
            }
        }
        finally
        {
            if (listing != IntPtr.Zero)
                _ = Syscall.closedir(listing);
            else
                _ = Syscall.close(folder);
        }
    }

    /// <summary>The names in a folder, in ordinal order (as the archive has them).</summary>
    private static List<string> Children(IntPtr listing, string path)
    {
        var names = new List<string>();
        while (Syscall.readdir(listing) is { } entry)
        {
            var name = entry.d_name;
            if (name is "." or "..")
                continue;
            // Mono.Unix keeps bytes that are not UTF-8 as escapes starting with NUL, which no real name contains.
            // Such a name cannot be stored as it is (tar and the index hold UTF-8); until now it failed the backup
            // with "not found", so it still fails it, but saying why.
            if (name.Contains(UnixEncoding.EscapeByte, StringComparison.Ordinal))
                throw new IOException($"{path}: a name in this folder is not valid UTF-8 ({Printable(name)}); rename it to back it up");
            names.Add(name);
        }
        // readdir returns null at the end and on an error; only an error sets errno (Mono.Unix clears it first).
        var errno = Stdlib.GetLastError();
        if (errno != 0)
            throw Failure(errno, path, "readdir");
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static IEnumerable<SiteWalker.Entry> VisitLink(int parent, string name, string path, Stat seen, Action<FileChange> skipped)
    {
        var target = ReadLink(parent, name, path);
        if (target is null)
        {
            skipped(new FileChange(path, FileChange.Skipped)); // no longer a link, or gone
            return [];
        }
        return [Entry(path, SiteWalker.Kind.SymbolicLink, seen) with { LinkTarget = target }];
    }

    private static string? ReadLink(int parent, string name, string path)
    {
        for (var size = 1024; ; size *= 4)
        {
            var buffer = new byte[size];
            var length = Syscall.readlinkat(parent, name, buffer);
            if (length < 0)
            {
                var errno = Stdlib.GetLastError();
                return errno is Errno.EINVAL || IsRace(errno) ? null : throw Failure(errno, path, "readlinkat");
            }
            if (length < size)
                return Encoding.UTF8.GetString(buffer, 0, (int)length); // as .NET's LinkTarget decodes it
        }
    }

    private static IEnumerable<SiteWalker.Entry> VisitFile(int parent, string name, string path, Stat seen, Action<FileChange> skipped)
    {
        var descriptor = Syscall.openat(parent, name, FileFlags);
        if (descriptor < 0)
        {
            var errno = Stdlib.GetLastError();
            if (!IsRace(errno))
                throw Failure(errno, path, "open");
            skipped(new FileChange(path, FileChange.Skipped)); // now a link (ELOOP) or a socket (ENXIO), or gone
            yield break;
        }

        var file = new SafeFileHandle(descriptor, ownsHandle: true);
        try
        {
            if (Syscall.fstat(descriptor, out var opened) < 0)
                throw Failure(Stdlib.GetLastError(), path, "fstat");
            if ((opened.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
            {
                skipped(new FileChange(path, FileChange.Skipped)); // a folder or FIFO swapped in: not what was listed
                yield break;
            }
            // What FileOptions.SequentialScan asked for when files were opened by path: a larger read-ahead.
            _ = Syscall.posix_fadvise(descriptor, 0, 0, PosixFadviseAdvice.POSIX_FADV_SEQUENTIAL); // a hint; macOS has none
            yield return Entry(path, SiteWalker.Kind.File, opened) with { Content = file, Replaced = !SameFile(seen, opened) };
        }
        finally
        {
            file.Dispose();
        }
    }

    private static SiteWalker.Entry Entry(string path, SiteWalker.Kind kind, Stat stat) => new(
        path, kind, (UnixFileMode)((int)stat.st_mode & PermissionBits), ModifiedAt(stat), kind == SiteWalker.Kind.File ? stat.st_size : 0)
    {
        Identity = $"{stat.st_dev}:{stat.st_ino}",
    };

    /// <summary>As .NET's FileSystemInfo.LastWriteTimeUtc computes it, so archives stay byte-identical to the path walk's.</summary>
    private static DateTimeOffset ModifiedAt(Stat stat) =>
        DateTimeOffset.FromUnixTimeSeconds(stat.st_mtime).AddTicks(stat.st_mtime_nsec / 100);

    private static bool SameFile(Stat a, Stat b) => a.st_dev == b.st_dev && a.st_ino == b.st_ino;

    /// <summary>
    /// Errors that mean the entry changed between the listing and the open: gone (ENOENT), now a link where O_NOFOLLOW
    /// refuses (ELOOP; EMLINK on the BSDs), not a folder any more (ENOTDIR), a socket (ENXIO).
    /// </summary>
    private static bool IsRace(Errno errno) => errno is Errno.ENOENT or Errno.ELOOP or Errno.EMLINK or Errno.ENOTDIR or Errno.ENXIO;

    /// <summary>The exception .NET would have thrown for the same error on a path (what callers and retries expect).</summary>
    private static Exception Failure(Errno errno, string path, string call)
    {
        var message = $"{path}: {call} failed: {UnixMarshal.GetErrorDescription(errno)}";
        return errno switch
        {
            Errno.ENOENT or Errno.ENOTDIR => new DirectoryNotFoundException(message),
            Errno.EACCES or Errno.EPERM => new UnauthorizedAccessException(message),
            _ => new IOException(message),
        };
    }

    private static string Printable(string name) =>
        string.Concat(name.Replace(UnixEncoding.EscapeByte.ToString(), "", StringComparison.Ordinal).Select(c => char.IsControl(c) ? '?' : c));
}
