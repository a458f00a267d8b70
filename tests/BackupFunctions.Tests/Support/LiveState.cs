using System.Diagnostics;
using System.Security.Cryptography;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// What a restore must bring back exactly: a site tree with every entry's kind, mode and content (empty folders and
/// hidden entries included, links not followed), and a database as a normalized <c>pg_dump</c> (schema and data).
/// </summary>
public static class LiveState
{
    /// <summary>Relative path → "d mode", "f mode sha256" or "l target", for the root's <paramref name="components"/> (null: everything).</summary>
    public static SortedDictionary<string, string> Tree(string root, IEnumerable<string>? components = null)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var starts = components?.Select(c => Path.Combine(root, c)) ?? Directory.EnumerateFileSystemEntries(root);
        foreach (var start in starts)
            Add(root, new DirectoryInfo(start), result);
        return result;
    }

    private static void Add(string root, FileSystemInfo entry, SortedDictionary<string, string> result)
    {
        if (!entry.Exists && entry.LinkTarget is null)
            return;
        var relative = Path.GetRelativePath(root, entry.FullName).Replace('\\', '/');
        if (entry.LinkTarget is { } target)
        {
            result[relative] = "l " + target;
            return;
        }
        var mode = OperatingSystem.IsWindows() ? "-" : Convert.ToString((int)File.GetUnixFileMode(entry.FullName), 8);
        if (Directory.Exists(entry.FullName))
        {
            result[relative] = "d " + mode;
            foreach (var child in new DirectoryInfo(entry.FullName).EnumerateFileSystemInfos())
                Add(root, child, result);
            return;
        }
        using var stream = File.OpenRead(entry.FullName);
        result[relative] = $"f {mode} {Convert.ToHexStringLower(SHA256.HashData(stream))}";
    }

    /// <summary>Asserts two trees are equal, naming the entries that differ (the default message shows only the first few).</summary>
    public static void AssertSame(IReadOnlyDictionary<string, string> expected, IReadOnlyDictionary<string, string> actual)
    {
        var differences = expected.Keys.Union(actual.Keys)
            .Where(k => expected.GetValueOrDefault(k) != actual.GetValueOrDefault(k))
            .Select(k => $"{k}: expected '{expected.GetValueOrDefault(k) ?? "(none)"}', found '{actual.GetValueOrDefault(k) ?? "(none)"}'")
            .ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    /// <summary>The database as <c>pg_dump --no-owner --no-privileges</c> prints it, without comments and blank lines.</summary>
    public static async Task<string> DumpAsync(PostgresConnectionInfo db)
    {
        var startInfo = new ProcessStartInfo(Path.Combine(TestEnvironment.PostgresBinDirectory, "pg_dump"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--no-owner", "--no-privileges", "--host=" + db.Host, "--port=" + db.Port, "--username=postgres", "--dbname=" + db.Database })
            startInfo.ArgumentList.Add(argument);
        startInfo.Environment["PGSSLMODE"] = "verify-full";
        startInfo.Environment["PGSSLROOTCERT"] = TestEnvironment.PostgresRootCert;
        using var process = Process.Start(startInfo)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith("--", StringComparison.Ordinal) && !line.StartsWith("\\restrict", StringComparison.Ordinal)
                && !line.StartsWith("\\unrestrict", StringComparison.Ordinal))
                lines.Add(line);
        }
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return string.Join('\n', lines);
    }
}
