namespace BackupFunctions.Core.Tests.Archive;

/// <summary>What a restore must never change outside its target, as the kernel reports it.</summary>
internal static class OutsideLinkTestSupport
{
    /// <summary>Every entry below <paramref name="folder"/> and the folder itself: path, mode, time and content.</summary>
    public static string Snapshot(string folder) => string.Join('\n',
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Prepend(folder)
            .Order(StringComparer.Ordinal)
            .Select(p => $"{p} {ModeOf(p)} {File.GetLastWriteTimeUtc(p):O} " + (File.Exists(p) ? File.ReadAllText(p) : "<folder>")));

    private static string ModeOf(string path) => OperatingSystem.IsWindows() ? "" : Convert.ToString((int)File.GetUnixFileMode(path), 8);
}
