using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// The frozen format-v1 backups of tests/fixtures/format-v1 (see its README): what they are, what they hold, and the
/// checks that a restore of one gives that back exactly. Shared by the engine's and backupctl's fixture tests.
/// </summary>
public static class FormatV1Fixtures
{
    /// <summary>Heads every failure: the one thing the reader of a failing build must know.</summary>
    public const string Regression =
        "FORMAT v1 REGRESSION: a backup written by an earlier version (tests/fixtures/format-v1, frozen bytes) no longer reads as it did. " +
        "Users have such backups stored: fix the reader, never the fixture.";

    /// <summary>tests/fixtures/format-v1 in the source tree (found upwards from the test binaries).</summary>
    public static string Folder { get; } = FindFolder();

    public static string KeyFile => Path.Combine(Folder, "test.key");

    public static IReadOnlyList<FormatV1FixtureBackup> Backups { get; } = ReadBackups();

    public static IReadOnlyList<FormatV1SiteEntry> Site { get; } = ReadSite();

    /// <summary>Table (<c>schema.name</c>) → its rows as COPY TO STDOUT printed them at backup time.</summary>
    public static IReadOnlyDictionary<string, string> DatabaseContent { get; } = ReadDatabaseContent();

    public static TheoryData<string> BackupIds
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var backup in Backups)
                data.Add(backup.BackupId);
            return data;
        }
    }

    public static FormatV1FixtureBackup Backup(string backupId) => Backups.Single(b => b.BackupId == backupId);

    /// <summary>
    /// Copies the fixture destination (its <c>backups/</c> folder) into <paramref name="root"/>, so that a test reads a
    /// file:// destination of its own and may damage it; the checked-in bytes are never touched.
    /// </summary>
    public static void CopyDestination(string root)
    {
        var source = Path.Combine(Folder, "destination");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(root, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>A copy of test.key with owner-only permissions, as a key file is kept (git checks it out 0644).</summary>
    public static string CopyKeyFile(string folder)
    {
        var path = Path.Combine(folder, "test.key");
        File.Copy(KeyFile, path);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>
    /// Fails, listing every difference, unless <paramref name="restoredRoot"/> holds exactly the site entries of
    /// <paramref name="backup"/>: the same names (bytes: NFC and NFD stay apart), types, file bytes (SHA-256), modes,
    /// modification times (to the tick) and link targets, and nothing else.
    /// </summary>
    public static void AssertRestoredSite(FormatV1FixtureBackup backup, string restoredRoot)
        => AssertSameSite(Site.Where(e => backup.Holds(e.Path)), restoredRoot, $"{Regression}\nRestoring {backup} gave another site than site.tsv records:");

    /// <summary>
    /// Fails, listing every difference under <paramref name="header"/>, unless <paramref name="restoredRoot"/> holds exactly
    /// <paramref name="expectedEntries"/> (names, types, modes, times, sizes, contents, link targets).
    /// </summary>
    public static void AssertSameSite(IEnumerable<FormatV1SiteEntry> expectedEntries, string restoredRoot, string header)
    {
        var expected = expectedEntries.ToDictionary(e => e.Path, StringComparer.Ordinal);
        var actual = new Dictionary<string, FileSystemInfo>(StringComparer.Ordinal);
        Walk(new DirectoryInfo(restoredRoot));
        void Walk(DirectoryInfo folder)
        {
            // By hand: the BCL's recursive enumeration descends into links to folders.
            foreach (var info in folder.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
            {
                actual[Path.GetRelativePath(restoredRoot, info.FullName).Replace('\\', '/')] = info;
                if (info is DirectoryInfo child && info.LinkTarget is null)
                    Walk(child);
            }
        }

        var differences = new List<string>();
        foreach (var path in expected.Keys.Except(actual.Keys, StringComparer.Ordinal))
            differences.Add($"missing: {Show(path)}");
        foreach (var path in actual.Keys.Except(expected.Keys, StringComparer.Ordinal))
            differences.Add($"not in the backup: {Show(path)}");
        foreach (var (path, want) in expected)
        {
            if (!actual.TryGetValue(path, out var info))
                continue;
            var type = info.LinkTarget is not null ? 'l' : info is DirectoryInfo ? 'd' : 'f';
            if (type != want.Type)
            {
                differences.Add($"{Show(path)}: type {type}, expected {want.Type}");
                continue;
            }
            if (type == 'l')
            {
                if (info.LinkTarget != want.LinkTarget)
                    differences.Add($"{Show(path)}: link target '{info.LinkTarget}', expected '{want.LinkTarget}'");
                continue; // a link's own mode and time are not restored (nothing is done through a link)
            }
            if (!OperatingSystem.IsWindows() && info.UnixFileMode != want.Mode)
                differences.Add($"{Show(path)}: mode {Octal(info.UnixFileMode)}, expected {Octal(want.Mode)}");
            if (info.LastWriteTimeUtc != want.ModifiedAt.UtcDateTime)
                differences.Add($"{Show(path)}: modified {info.LastWriteTimeUtc:O}, expected {want.ModifiedAt.UtcDateTime:O}");
            if (type == 'f')
            {
                var file = (FileInfo)info;
                if (file.Length != want.Size)
                    differences.Add($"{Show(path)}: {file.Length} bytes, expected {want.Size}");
                else if (Sha256(file.FullName) != want.Sha256)
                    differences.Add($"{Show(path)}: content differs (SHA-256 {Sha256(file.FullName)}, expected {want.Sha256})");
            }
        }
        Assert.True(differences.Count == 0, header + "\n  " + string.Join("\n  ", differences));
    }

    /// <summary>Fails unless the database <paramref name="database"/> on the test server holds exactly the tables and rows of database-content.txt.</summary>
    public static Task AssertRestoredDatabaseAsync(FormatV1FixtureBackup backup, string database)
        => AssertDatabaseContentAsync(DatabaseContent, database, $"{Regression}\nRestoring {backup}");

    /// <summary>Fails unless <paramref name="database"/> holds exactly the tables and rows of <paramref name="content"/> (<see cref="ReadDatabaseContent(string)"/>).</summary>
    public static async Task AssertDatabaseContentAsync(IReadOnlyDictionary<string, string> content, string database, string header)
    {
        await using var connection = new NpgsqlConnection(TestEnvironment.NpgsqlConnectionString(TestEnvironment.Postgres(database)));
        await connection.OpenAsync();
        // The recorded text was printed in UTC with the server's defaults; timestamptz prints in the session's zone.
        await using (var setup = new NpgsqlCommand("SET TimeZone TO 'UTC'; SET DateStyle TO 'ISO, MDY'; SET extra_float_digits TO 1; SET bytea_output TO 'hex'", connection))
            await setup.ExecuteNonQueryAsync();

        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }
        Assert.True(content.Keys.Order(StringComparer.Ordinal).SequenceEqual(tables),
            $"{header} gave the tables [{string.Join(", ", tables)}], expected [{string.Join(", ", content.Keys)}]");

        foreach (var (table, rows) in content)
        {
            // Names come from the fixture's own file and were checked against pg_tables above.
            using var export = await connection.BeginTextExportAsync($"COPY (SELECT * FROM {table} ORDER BY 1) TO STDOUT");
            var restored = await export.ReadToEndAsync();
            Assert.True(restored == rows,
                $"{header} gave other rows in {table}:\n--- restored\n{restored}--- recorded at backup time\n{rows}");
        }
    }

    private static string Show(string path) => $"'{path}' (UTF-8 {Convert.ToHexString(Encoding.UTF8.GetBytes(path)).ToLowerInvariant()})";

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8);

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "format-v1");
            if (File.Exists(Path.Combine(candidate, "backups.tsv")))
                return candidate;
        }
        throw new InvalidOperationException($"tests/fixtures/format-v1 not found above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<string[]> Lines(string file) => TsvLines(Path.Combine(Folder, file));

    /// <summary>The fields of each line of a tab-separated fixture file, comments and blank lines left out.</summary>
    public static IEnumerable<string[]> TsvLines(string path) =>
        File.ReadAllLines(path, Encoding.UTF8)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'));

    private static List<FormatV1FixtureBackup> ReadBackups() =>
        [.. Lines("backups.tsv").Select(f => new FormatV1FixtureBackup(
            f[0], f[1], f[2], int.Parse(f[3], CultureInfo.InvariantCulture), f[4], f[5] == "-" ? [] : f[5].Split(',')))];

    private static List<FormatV1SiteEntry> ReadSite() => ReadSiteFile(Path.Combine(Folder, "site.tsv"));

    /// <summary>A site recorded as site.tsv is (find/stat/sha256sum, see make-fixtures.sh).</summary>
    public static List<FormatV1SiteEntry> ReadSiteFile(string path) =>
        [.. TsvLines(path).Select(f => new FormatV1SiteEntry(
            Path: f[6],
            Type: f[0][0],
            Mode: (UnixFileMode)Convert.ToInt32(f[1], 8),
            // find's %T@: seconds with a 10-digit fraction; the format keeps 100 ns ticks.
            ModifiedAt: DateTimeOffset.UnixEpoch.AddTicks((long)(decimal.Parse(f[2], CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond)),
            Size: long.Parse(f[3], CultureInfo.InvariantCulture),
            Sha256: f[4] == "-" ? null : f[4],
            LinkTarget: f[5] == "-" ? null : f[5]))];

    private static Dictionary<string, string> ReadDatabaseContent() => ReadDatabaseContent(Path.Combine(Folder, "database-content.txt"));

    /// <summary>Tables and rows as make-fixtures.sh recorded them (COPY … TO STDOUT per table).</summary>
    public static Dictionary<string, string> ReadDatabaseContent(string path)
    {
        var tables = new Dictionary<string, string>(StringComparer.Ordinal);
        string? table = null;
        var rows = new StringBuilder();
        foreach (var line in File.ReadAllLines(path, Encoding.UTF8))
        {
            if (line.StartsWith("== ", StringComparison.Ordinal))
            {
                if (table is not null)
                    tables[table] = rows.ToString();
                table = line[3..];
                rows.Clear();
            }
            else
            {
                rows.Append(line).Append('\n');
            }
        }
        if (table is not null)
            tables[table] = rows.ToString();
        return tables;
    }
}
