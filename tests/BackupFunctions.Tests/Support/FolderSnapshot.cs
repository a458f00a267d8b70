using System.Security.Cryptography;

namespace BackupFunctions.Tests.Support;

/// <summary>Every file and folder under a root: relative path → SHA-256 (or "dir"), for byte-for-byte comparison.</summary>
public static class FolderSnapshot
{
    public static SortedDictionary<string, string> Take(string root, IEnumerable<string>? onlyComponents = null)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var starts = onlyComponents?.Select(c => Path.Combine(root, c)).Where(Directory.Exists) ?? [root];
        foreach (var start in starts)
        {
            if (start != root)
                result[Path.GetRelativePath(root, start).Replace('\\', '/')] = "dir";
            foreach (var entry in Directory.EnumerateFileSystemEntries(start, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, entry).Replace('\\', '/');
                if (Directory.Exists(entry))
                {
                    result[relative] = "dir";
                    continue;
                }
                using var stream = File.OpenRead(entry);
                result[relative] = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
        }
        return result;
    }
}
