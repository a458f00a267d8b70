using System.Runtime.InteropServices;
using System.Text;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Physical paths: every symbolic link along a path replaced by what it points to, and ".." stepping up from the real
/// folder reached so far (not textually, as <see cref="Path.GetFullPath(string)"/> does). Site roots are confined with
/// <see cref="TryResolve"/> (the path must exist); a restore resolves its target, which may not exist yet, with
/// <see cref="Resolve"/>.
/// </summary>
public static class RealPath
{
    /// <summary>
    /// realpath(3) of an existing file or folder: the kernel's own resolution, so no walk of ours can disagree with
    /// it. Null when it cannot be resolved (missing, a loop, no permission), with the reason in
    /// <paramref name="error"/>.
    /// </summary>
    public static string? TryResolve(string path, out string error)
    {
        ArgumentNullException.ThrowIfNull(path);
        error = "";
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            error = "not a path";
            return null;
        }
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("Paths are resolved with realpath(3); run the app on Linux.");

        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        // With a null buffer, realpath allocates the result (PATH_MAX-free), which free() releases.
        var resolved = NativeRealPath(bytes, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
        {
            error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr NativeRealPath(byte[] path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void Free(IntPtr pointer);

    /// <summary>The kernel's limit (Linux MAXSYMLINKS).</summary>
    private const int MaxLinkHops = 40;

    /// <summary>
    /// As <c>realpath -m</c>: the resolved absolute path of a folder that may not exist yet (links whose target does
    /// not exist yet are followed too); a relative <paramref name="path"/> is taken from the current folder.
    /// </summary>
    /// <exception cref="IOException">More than 40 links on the way (a loop).</exception>
    public static string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsWindows())
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

        // The current folder from getcwd is physical already; only what the caller wrote needs resolving.
        var absolute = Path.IsPathRooted(path) ? path : Path.Join(Environment.CurrentDirectory, path);
        var pending = new Stack<string>(absolute.Split('/').Reverse());
        var resolved = new List<string>();
        var hops = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment is "" or ".")
                continue;
            if (segment == "..")
            {
                // resolved is free of links, so its parent is the physical parent ("/.." is "/").
                if (resolved.Count > 0)
                    resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            resolved.Add(segment);
            var target = LinkTarget("/" + string.Join('/', resolved));
            if (target is null)
                continue;
            if (++hops > MaxLinkHops)
                throw new IOException($"{path}: too many levels of symbolic links");
            resolved.RemoveAt(resolved.Count - 1);
            if (target.StartsWith('/'))
                resolved.Clear();
            foreach (var part in target.Split('/').Reverse())
                pending.Push(part);
        }

        return "/" + string.Join('/', resolved);
    }

    /// <summary>readlink of the path, or null when it is not a symbolic link (or does not exist).</summary>
    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException) when (!Path.Exists(path))
        {
            // ENOTDIR: a component above is a file; nothing below it exists.
            return null;
        }
    }
}
