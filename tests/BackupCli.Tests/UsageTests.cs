using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>Bad input gets exit code 2 and one line saying what and why, before anything is done.</summary>
public sealed class UsageTests : IDisposable
{
    private readonly TempFolder _folder = new("bf-cli-usage-");

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string[], string> BadCommandLines => new()
    {
        { ["backup", "--to", "file:///tmp/x", "--site", "/tmp", "--bogus"], "--bogus" },
        { ["backup", "--site", "/tmp", "--key-file", "k"], "--to" },
        { ["backup", "--to", "s3://KEY:SECRET@bucket/prefix", "--site", "/tmp", "--key-file", "k"], "credentials do not belong" },
        { ["backup", "--to", "gopher://host/x", "--site", "/tmp", "--key-file", "k"], "unknown destination scheme" },
        { ["backup", "--to", "file://relative/path", "--site", "/tmp", "--key-file", "k"], "three slashes" },
        { ["backup", "--to", "/var/backups", "--site", "/tmp", "--key-file", "k"], "not a destination URI" },
        { ["backup", "--to", "file:///tmp/x", "--site", "/tmp", "--level", "12", "--key-file", "k"], "--level" },
        { ["backup", "--to", "file:///tmp/x", "--site", "/tmp", "--compression", "rar", "--key-file", "k"], "rar" },
        { ["backup", "--to", "file:///tmp/x", "--key-file", "k"], "nothing to back up" },
        { ["backup", "--to", "file:///tmp/x", "--site", "/tmp", "--type", "database", "--key-file", "k"], "needs --db" },
        { ["backup", "--to", "file:///tmp/x", "--site", "/tmp/does-not-exist-bfcli", "--key-file", "k"], "does not exist" },
        { ["backup", "--to", "azblob://UPPER", "--site", "/tmp", "--key-file", "k"], "container name" },
        { ["backup", "--to", "file:///tmp/x", "--db", "Host=127.0.0.1;Bogus=1", "--key-file", "k"], "--db" },
        { ["ls"], "--from" },
        { ["verify", "--from", "file:///tmp/x"], "backup-id" },
        { ["restore", "--from", "file:///tmp/x", "some-id", "--key-file", "k"], "--to-dir" },
        { ["restore", "--from", "file:///tmp/x", "some-id", "--to-db", "Host=h;Database=d;Username=u", "--include", "a/*", "--key-file", "k"], "--include" },
        { [], "command" },
    };

    [Theory]
    [MemberData(nameof(BadCommandLines))]
    public async Task Bad_usage_exits_2_with_one_line_saying_what(string[] args, string mentioned)
    {
        var result = await Cli.RunAsync(args);

        Assert.True(result.ExitCode == 2, result.ToString());
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("backupctl: ", line, StringComparison.Ordinal);
        Assert.Contains(mentioned, line, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task A_missing_key_file_or_two_key_options_are_bad_usage()
    {
        var site = _folder.Combine("site");
        Directory.CreateDirectory(site);
        var missing = await Cli.RunAsync("backup", "--to", Cli.FileUri(_folder.Combine("dest")), "--site", site, "--key-file", _folder.Combine("nope.key"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.key", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);

        var two = await Cli.RunAsync("backup", "--to", Cli.FileUri(_folder.Combine("dest")), "--site", site, "--key-file", "a", "--passphrase-env", "X");
        Assert.Equal(2, two.ExitCode);
        Assert.Contains("only one of", Assert.Single(two.ErrorLines), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("dest")));
    }

    [Fact]
    public async Task Bad_usage_in_json_mode_also_writes_a_json_error()
    {
        var result = await Cli.RunAsync("ls", "--from", "ftp://host/x", "--json");

        Assert.Equal(2, result.ExitCode);
        var json = result.Json();
        Assert.Equal(2, json.GetProperty("exitCode").GetInt32());
        Assert.Contains("ftp://", json.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_of_a_folder_that_does_not_exist_fails_instead_of_listing_nothing()
    {
        var result = await Cli.RunAsync("ls", "--from", Cli.FileUri(_folder.Combine("typo")));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not exist", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_documents_the_exit_codes()
    {
        var result = await Cli.RunAsync("--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("3  integrity failure", result.Stdout, StringComparison.Ordinal);
        foreach (var command in new[] { "key", "backup", "ls", "verify", "restore" })
            Assert.Contains(command, result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Key_create_writes_an_owner_only_key_and_never_overwrites_one()
    {
        var key = _folder.Combine("new.key");

        var created = await Cli.RunAsync("key", "create", "--out", key, "--json");
        Assert.True(created.ExitCode == 0, created.ToString());
        Assert.Equal(32, Convert.FromBase64String(File.ReadAllText(key).Trim()).Length);
        Assert.StartsWith("local:", created.Json().GetProperty("keyId").GetString(), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));

        var before = File.ReadAllText(key);
        var again = await Cli.RunAsync("key", "create", "--out", key);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", Assert.Single(again.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(key));
    }

    [Fact]
    public async Task A_files_only_backup_prints_just_its_id_and_restores()
    {
        var site = _folder.Combine("site");
        SiteFolders.Create(site);
        var key = _folder.Combine("k.key");
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", key)).ExitCode);
        var destination = Cli.FileUri(_folder.Combine("dest"));

        var backup = await Cli.RunAsync("backup", "--to", destination, "--site", site, "--compression", "none", "--level", "9", "--key-file", key);

        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Stdout.TrimEnd('\n');
        Assert.Matches("^[0-9]{19}-cli-[0-9a-f]{8}$", backupId);
        var listed = Assert.Single((await Cli.RunAsync("ls", "--from", destination, "--json")).Json().GetProperty("backups").EnumerateArray());
        Assert.Equal(["files"], listed.GetProperty("contents").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("none", listed.GetProperty("compression").GetString());

        var target = _folder.Combine("restored");
        var restore = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", target, "--key-file", key);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        SiteFolders.AssertIdentical(site, target);
    }
}
