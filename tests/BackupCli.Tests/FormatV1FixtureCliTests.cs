using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// The promise that backupctl reads format v1 from a bare destination: the frozen backups of tests/fixtures/format-v1
/// (see its README) are listed by <c>ls</c>, pass <c>verify</c> and <c>verify --read-data</c>, and <c>restore</c>
/// gives back the site and the database exactly; one changed byte fails <c>verify</c> with exit code 3. The
/// engine's side is BackupFunctions.Core.Tests' FormatV1FixtureTests. A failure is a reader regression, never a
/// reason to regenerate the fixtures.
/// </summary>
public sealed class FormatV1FixtureCliTests : IDisposable
{
    private readonly TempFolder _folder = new("bf-v1cli-");
    private readonly string _destination;
    private readonly string _keyFile;

    public FormatV1FixtureCliTests()
    {
        FormatV1Fixtures.CopyDestination(_folder.Combine("destination"));
        _destination = Cli.FileUri(_folder.Combine("destination"));
        _keyFile = FormatV1Fixtures.CopyKeyFile(_folder.Path);
    }

    public static TheoryData<string> BackupIds => FormatV1Fixtures.BackupIds;

    [Fact]
    public async Task Ls_lists_every_fixture_backup_with_its_settings()
    {
        var result = await Cli.RunAsync("ls", "--from", _destination, "--json");

        Assert.True(result.ExitCode == 0, $"{FormatV1Fixtures.Regression}\n{result}");
        var listed = result.Json().GetProperty("backups").EnumerateArray().ToList();
        // Newest first: backup ids sort that way (inverted time), the reverse of the order they were written in.
        var newestFirst = FormatV1Fixtures.Backups.Reverse().ToList();
        Assert.Equal(newestFirst.Select(b => b.BackupId), listed.Select(b => b.GetProperty("backupId").GetString()));
        foreach (var (backup, row) in newestFirst.Zip(listed))
        {
            var context = $"{FormatV1Fixtures.Regression}\n{backup}: {row}";
            Assert.True(row.GetProperty("status").GetString() == "complete", context);
            Assert.True(row.GetProperty("compression").GetString() == backup.Compression, context);
            Assert.True(row.GetProperty("compressionLevel").GetInt32() == backup.Level, context);
            Assert.True(row.GetProperty("keyType").GetString() == (backup.Encrypted ? "local" : "none"), context);
            string[] contents = [.. backup.HasDatabase ? ["database"] : Array.Empty<string>(), .. backup.HasFiles ? ["files"] : Array.Empty<string>()];
            Assert.True(contents.SequenceEqual(row.GetProperty("contents").EnumerateArray().Select(c => c.GetString())), context);
        }
    }

    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task Verify_and_verify_read_data_pass(string backupId)
    {
        var backup = FormatV1Fixtures.Backup(backupId);

        var quick = await Cli.RunAsync("verify", "--from", _destination, backupId, "--json");
        var deep = await Cli.RunAsync(["verify", "--from", _destination, backupId, "--read-data", "--json", .. KeyArguments(backup)]);

        Assert.True(quick.ExitCode == 0, $"{FormatV1Fixtures.Regression}\nbackupctl verify {backup}:\n{quick}");
        Assert.True(deep.ExitCode == 0, $"{FormatV1Fixtures.Regression}\nbackupctl verify --read-data {backup}:\n{deep}");
    }

    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task Restore_gives_back_the_site_and_the_database_exactly(string backupId)
    {
        var backup = FormatV1Fixtures.Backup(backupId);
        var target = _folder.Combine("restored");
        await using var database = TestDatabase.Reserve("bfv1cli");
        List<string> args = ["restore", "--from", _destination, backupId, "--json", .. KeyArguments(backup)];
        if (backup.HasFiles)
            args.AddRange(["--to-dir", target]);
        if (backup.HasDatabase)
            args.AddRange(["--to-db", database.ConnectionString]);

        var result = await Cli.RunAsync([.. args]);

        Assert.True(result.ExitCode == 0, $"{FormatV1Fixtures.Regression}\nbackupctl restore {backup}:\n{result}");
        if (backup.HasFiles)
            FormatV1Fixtures.AssertRestoredSite(backup, target);
        if (backup.HasDatabase)
            await FormatV1Fixtures.AssertRestoredDatabaseAsync(backup, database.Name);
    }

    /// <summary>Keeps the tests above from being vacuous: backupctl refuses a fixture with one byte changed (exit 3).</summary>
    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task One_changed_byte_in_any_part_fails_verify_with_exit_code_3(string backupId)
    {
        var backup = FormatV1Fixtures.Backup(backupId);
        var folder = _folder.Combine("destination", "backups", backupId);
        foreach (var path in Directory.EnumerateFiles(folder).Where(p => !p.EndsWith("manifest.json", StringComparison.Ordinal)))
        {
            var original = await File.ReadAllBytesAsync(path);
            var changed = (byte[])original.Clone();
            changed[changed.Length / 2] ^= 0x01;
            await File.WriteAllBytesAsync(path, changed);
            try
            {
                var quick = await Cli.RunAsync("verify", "--from", _destination, backupId);
                var deep = await Cli.RunAsync(["verify", "--from", _destination, backupId, "--read-data", .. KeyArguments(backup)]);

                var part = Path.GetFileName(path);
                Assert.True(quick.ExitCode == 3 && quick.Stdout.Contains(part, StringComparison.Ordinal), $"{backup}, {part} changed: {quick}");
                Assert.True(deep.ExitCode == 3 && deep.Stderr.Contains(part, StringComparison.Ordinal), $"{backup}, {part} changed: {deep}");
            }
            finally
            {
                await File.WriteAllBytesAsync(path, original);
            }
        }
    }

    public void Dispose() => _folder.Dispose();

    private string[] KeyArguments(FormatV1FixtureBackup backup) => backup.Encrypted ? ["--key-file", _keyFile] : [];
}
