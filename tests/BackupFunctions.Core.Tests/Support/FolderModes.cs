namespace BackupFunctions.Core.Tests.Support;

/// <summary>Permission bits of everything under a folder, as the kernel reports them (symbolic links left out: they have none).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class FolderModes
{
    public const UnixFileMode PrivateFolder = (UnixFileMode)0b111_000_000;

    public const UnixFileMode PrivateFile = (UnixFileMode)0b110_000_000;

    /// <summary>'/'-separated relative path → octal mode ("755") of every folder and file below <paramref name="root"/>.</summary>
    public static SortedDictionary<string, string> Of(string root)
    {
        var modes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Entries(root))
        {
            modes[Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/')] =
                Convert.ToString((int)File.GetUnixFileMode(path), 8);
        }
        return modes;
    }

    /// <summary>
    /// Asserts that <paramref name="folder"/> and every folder below it is 0700 and every file 0600 (links have no
    /// mode of their own); returns how many files there are.
    /// </summary>
    public static int AssertPrivate(string folder)
    {
        Assert.True(File.GetUnixFileMode(folder) == PrivateFolder, $"{folder}: {Convert.ToString((int)File.GetUnixFileMode(folder), 8)}, not 700");
        var files = 0;
        foreach (var path in Entries(folder))
        {
            var isFolder = Directory.Exists(path);
            var expected = isFolder ? PrivateFolder : PrivateFile;
            var actual = File.GetUnixFileMode(path);
            Assert.True(actual == expected,
                $"{path}: {Convert.ToString((int)actual, 8)}, not {Convert.ToString((int)expected, 8)}: readable or writable by others while the restore runs");
            if (!isFolder)
                files++;
        }
        return files;
    }

    /// <summary>Every folder and file below <paramref name="root"/>, without following or listing symbolic links.</summary>
    private static IEnumerable<string> Entries(string root)
        => Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(p => new FileInfo(p).LinkTarget is null);
}
