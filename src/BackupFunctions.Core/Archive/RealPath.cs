namespace BackupFunctions.Core.Archive;

/// <summary>
/// The physical path of a folder that may not exist yet, as <c>realpath -m</c> gives it: every symbolic link along
/// the path — the last component included, and links whose target does not exist yet — is replaced by what it points
/// to, and ".." steps up from the real folder reached so far (not textually, as <see cref="Path.GetFullPath(string)"/>
/// does). A restore resolves its target with it so that the final rename replaces the real, empty folder and leaves a
/// link that points to it as it was.
/// </summary>
public static class RealPath
{
    /// <summary>The kernel's limit (Linux MAXSYMLINKS).</summary>
    private const int MaxLinkHops = 40;

    /// <summary>The resolved absolute path; a relative <paramref name="path"/> is taken from the current folder.</summary>
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
