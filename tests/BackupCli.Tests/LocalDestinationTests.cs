using System.Text.Json;
using BackupCli.Tests.Support;

namespace BackupCli.Tests;

/// <summary>backupctl against a bare local destination folder: no catalog, no Functions app, only the folder and the key.</summary>
public sealed class LocalDestinationTests(LocalBackupFixture fixture) : IClassFixture<LocalBackupFixture>
{
    private CmsSource Source => fixture.Source;

    [Fact]
    public async Task Restore_recovers_the_site_and_the_database_from_a_bare_folder_and_a_key_file()
    {
        // Disaster recovery: nothing but the destination folder and the key file is used.
        var target = Source.NewFolder("restored");
        await using var database = TestDatabase.Reserve("bfclirestore");

        var result = await Cli.RunAsync(
            "restore", "--from", fixture.Destination, fixture.BackupId, "--to-dir", target, "--to-db", database.ConnectionString,
            "--key-file", Source.KeyFile, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        SiteFolders.AssertIdentical(Source.SiteRoot, target);
        Assert.Equal(fixture.SourceRowCounts, await database.RowCountsAsync());
        Assert.Equal(500, fixture.SourceRowCounts["public.posts"]);
        var json = result.Json();
        Assert.Equal(fixture.BackupId, json.GetProperty("backupId").GetString());
        Assert.Equal(SiteFolders.Files(Source.SiteRoot).Count, json.GetProperty("files").GetInt64());
    }

    [Fact]
    public async Task Ls_shows_the_backup_from_its_manifest()
    {
        var result = await Cli.RunAsync("ls", "--from", fixture.Destination, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var backup = Assert.Single(result.Json().GetProperty("backups").EnumerateArray());
        Assert.Equal(fixture.BackupId, backup.GetProperty("backupId").GetString());
        Assert.Equal("complete", backup.GetProperty("status").GetString());
        Assert.Equal("full", backup.GetProperty("type").GetString());
        Assert.Equal(["database", "files"], backup.GetProperty("contents").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("zstd", backup.GetProperty("compression").GetString());
        Assert.Equal(3, backup.GetProperty("compressionLevel").GetInt32());
        Assert.Equal("aes-256-gcm", backup.GetProperty("encryption").GetString());
        Assert.Equal(SiteFolders.Files(Source.SiteRoot).Count, backup.GetProperty("files").GetInt64());
        Assert.Equal(fixture.SourceRowCounts.Count, backup.GetProperty("tables").GetInt32());
        var stored = Directory.EnumerateFiles(Path.Combine(fixture.DestinationFolder, "backups", fixture.BackupId)).Sum(f => new FileInfo(f).Length);
        Assert.Equal(stored, backup.GetProperty("storedBytes").GetInt64());
        Assert.StartsWith("local:", backup.GetProperty("keyId").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_in_text_shows_a_row_per_backup_and_marks_a_folder_without_manifest_incomplete()
    {
        var copy = fixture.CopyDestination();
        // A backup that died before its commit point: parts, no manifest.
        var dead = Path.Combine(copy, "backups", "0000000000000000001-cli-deadbeef");
        Directory.CreateDirectory(dead);
        File.Copy(fixture.PartPath(copy, "db.part"), Path.Combine(dead, "db.part"));

        var result = await Cli.RunAsync("ls", "--from", Cli.FileUri(copy));

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("BACKUP ID", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith(fixture.BackupId, StringComparison.Ordinal) && l.Contains("complete", StringComparison.Ordinal) && l.Contains("database+files", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("0000000000000000001-cli-deadbeef", StringComparison.Ordinal) && l.Contains("incomplete", StringComparison.Ordinal));

        var json = (await Cli.RunAsync("ls", "--from", Cli.FileUri(copy), "--json")).Json();
        Assert.Equal("incomplete", json.GetProperty("backups").EnumerateArray().Single(b => b.GetProperty("backupId").GetString() == "0000000000000000001-cli-deadbeef").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Verify_checks_every_object_without_a_key()
    {
        var result = await Cli.RunAsync("verify", "--from", fixture.Destination, fixture.BackupId, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.Equal(["db.part", "files-00001.part", "files-00002.part", "index.bin"],
            json.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.All(json.GetProperty("objects").EnumerateArray(), o => Assert.Equal(JsonValueKind.Null, o.GetProperty("error").ValueKind));
    }

    [Fact]
    public async Task Verify_read_data_decrypts_and_parses_every_part()
    {
        var result = await Cli.RunAsync("verify", "--from", fixture.Destination, fixture.BackupId, "--read-data", "--key-file", Source.KeyFile, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.Json();
        Assert.True(json.GetProperty("ok").GetBoolean());
        Assert.True(json.GetProperty("manifestAuthentic").GetBoolean());
        Assert.Equal(SiteFolders.Files(Source.SiteRoot).Count, json.GetProperty("files").GetInt64());
        Assert.Equal(SiteFolders.Files(Source.SiteRoot).Sum(f => new FileInfo(Path.Combine(Source.SiteRoot, f)).Length), json.GetProperty("filesBytes").GetInt64());
        Assert.Contains("pg_restore --list", json.GetProperty("dumpCheck").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("files-00001.part", false)]
    [InlineData("files-00001.part", true)]
    [InlineData("db.part", false)]
    [InlineData("index.bin", true)]
    public async Task Verify_after_one_flipped_byte_exits_3_with_one_line_naming_the_part(string part, bool readData)
    {
        var copy = fixture.CopyDestination();
        var path = fixture.PartPath(copy, part);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        string[] args = ["verify", "--from", Cli.FileUri(copy), fixture.BackupId];
        var result = await Cli.RunAsync(readData ? [.. args, "--read-data", "--key-file", Source.KeyFile] : args);

        Assert.True(result.ExitCode == 3, result.ToString());
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(part, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_of_a_truncated_part_exits_3()
    {
        var copy = fixture.CopyDestination();
        var path = fixture.PartPath(copy, "db.part");
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^100]);

        var result = await Cli.RunAsync("verify", "--from", Cli.FileUri(copy), fixture.BackupId, "--json");

        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Json().GetProperty("ok").GetBoolean());
        Assert.Contains("db.part", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_dry_run_lists_the_files_and_the_database_and_writes_nothing()
    {
        var target = Source.NewFolder("dry");
        await using var database = TestDatabase.Reserve("bfclidry");

        var result = await Cli.RunAsync(
            "restore", "--from", fixture.Destination, fixture.BackupId, "--to-dir", target, "--to-db", database.ConnectionString,
            "--dry-run", "--key-file", Source.KeyFile);

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var file in SiteFolders.Files(Source.SiteRoot))
            Assert.Contains("    " + file + "\n", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("public.posts (500 rows)", result.Stdout, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.False(await database.ExistsAsync());

        var json = (await Cli.RunAsync(
            "restore", "--from", fixture.Destination, fixture.BackupId, "--to-dir", target, "--dry-run", "--key-file", Source.KeyFile, "--json")).Json();
        Assert.Equal(SiteFolders.Files(Source.SiteRoot), json.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task Restore_include_restores_only_the_matching_files()
    {
        var target = Source.NewFolder("partial");

        var result = await Cli.RunAsync(
            "restore", "--from", fixture.Destination, fixture.BackupId, "--to-dir", target,
            "--include", "uploads/2024", "--include", "themes/*/style.css", "--key-file", Source.KeyFile);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["themes/classic/style.css", "uploads/2024/notes.txt", "uploads/2024/photo.jpg"], SiteFolders.Files(target));
        foreach (var file in SiteFolders.Files(target))
            Assert.Equal(File.ReadAllBytes(Path.Combine(Source.SiteRoot, file)), File.ReadAllBytes(Path.Combine(target, file)));

        var dry = (await Cli.RunAsync(
            "restore", "--from", fixture.Destination, fixture.BackupId, "--to-dir", Source.NewFolder("x"),
            "--include", "**/*.php", "--dry-run", "--key-file", Source.KeyFile, "--json")).Json();
        Assert.Equal(["config/settings.php", "plugins/seo/seo.php", "themes/classic/index.php"],
            dry.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_wrong_key_file_exits_3_and_restores_nothing()
    {
        var otherKey = Source.NewFolder("other") + ".key";
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", otherKey)).ExitCode);
        var target = Source.NewFolder("wrongkey");

        var result = await Cli.RunAsync("restore", "--from", fixture.Destination, fixture.BackupId, "--to-dir", target, "--key-file", otherKey);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("integrity failure", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));

        var verify = await Cli.RunAsync("verify", "--from", fixture.Destination, fixture.BackupId, "--read-data", "--key-file", otherKey);
        Assert.Equal(3, verify.ExitCode);
    }

    [Fact]
    public async Task Restore_of_a_tampered_part_exits_3_before_writing_anything()
    {
        var copy = fixture.CopyDestination();
        var path = fixture.PartPath(copy, "files-00001.part");
        var bytes = File.ReadAllBytes(path);
        bytes[^40] ^= 0x80;
        File.WriteAllBytes(path, bytes);
        var target = Source.NewFolder("tampered");

        var result = await Cli.RunAsync("restore", "--from", Cli.FileUri(copy), fixture.BackupId, "--to-dir", target, "--key-file", Source.KeyFile);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("files-00001.part", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task Restore_refuses_an_existing_database_and_a_non_empty_folder_with_exit_2()
    {
        var existing = await Cli.RunAsync(
            "restore", "--from", fixture.Destination, fixture.BackupId, "--to-db", Source.Database.ConnectionString, "--key-file", Source.KeyFile);
        Assert.True(existing.ExitCode == 2, existing.ToString());
        Assert.Contains("already exists", Assert.Single(existing.ErrorLines), StringComparison.Ordinal);

        var notEmpty = await Cli.RunAsync(
            "restore", "--from", fixture.Destination, fixture.BackupId, "--to-dir", Source.SiteRoot, "--key-file", Source.KeyFile);
        Assert.Equal(2, notEmpty.ExitCode);
        Assert.Contains("not empty", Assert.Single(notEmpty.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_that_is_not_there_exits_1_with_one_line()
    {
        var result = await Cli.RunAsync("verify", "--from", fixture.Destination, "0000000000000000000-cli-missing");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no backup 0000000000000000000-cli-missing", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
