using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// A site whose symbolic links point out of it (absolute targets, relative ones that climb out, a component that is
/// itself a link to a mounted volume): backed up, verified with --read-data and restored with backupctl, as an operator
/// would. The restore exits 0, every link comes back with its target text unchanged, nothing outside the restored
/// folder is touched through a link, and the output names the links.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SymbolicLinkRestoreTests : IDisposable
{
    private static readonly DateTime LongAgo = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private readonly TempFolder _temp = new("bf-cli-links-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_site_with_links_that_leave_it_is_backed_up_verified_and_restored_with_the_links_as_they_were()
    {
        // Beside the site: a folder and a file its links point to, and a "mounted volume" one of its components links to.
        var outside = _temp.Combine("outside");
        var owned = Path.Combine(outside, "owned.txt");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(owned, "not the site's");
        File.SetUnixFileMode(owned, (UnixFileMode)0b110_100_000);
        File.SetLastWriteTimeUtc(owned, LongAgo);
        File.SetUnixFileMode(outside, (UnixFileMode)0b111_101_000);
        Directory.SetLastWriteTimeUtc(outside, LongAgo);
        var volume = _temp.Combine("volume");
        Directory.CreateDirectory(volume);
        await File.WriteAllTextAsync(Path.Combine(volume, "media.bin"), "on the volume");

        var site = _temp.Combine("site");
        Directory.CreateDirectory(Path.Combine(site, "uploads"));
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "photo.jpg"), "jpeg");
        Directory.CreateDirectory(Path.Combine(site, "themes"));
        await File.WriteAllTextAsync(Path.Combine(site, "themes", "style.css"), "body {}");
        var links = new Dictionary<string, string>
        {
            ["uploads/abs-link"] = "/etc/hostname",
            ["uploads/abs-own"] = owned,
            // From <restore>/uploads, as from <site>/uploads: ../../outside is the folder beside them.
            ["uploads/rel-out"] = "../../outside",
            ["themes/current"] = "../uploads",
            ["media"] = volume,
        };
        foreach (var (path, linkTarget) in links)
            File.CreateSymbolicLink(Path.Combine(site, path), linkTarget);
        var before = Snapshot(outside, owned, volume);

        var key = _temp.Combine("backup.key");
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", key)).ExitCode);
        var destination = Cli.FileUri(_temp.Combine("dest"));
        var backup = await Cli.RunAsync("backup", "--to", destination, "--site", site, "--key-file", key, "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Json().GetProperty("backupId").GetString()!;

        var verify = await Cli.RunAsync("verify", "--from", destination, backupId, "--read-data", "--key-file", key);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("Note: 4 symbolic links point outside the site", verify.Stdout, StringComparison.Ordinal);

        var target = _temp.Combine("restored");
        var restore = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", target, "--key-file", key);
        Assert.True(restore.ExitCode == 0, restore.ToString());

        foreach (var (path, linkTarget) in links)
            Assert.Equal(linkTarget, new FileInfo(Path.Combine(target, path)).LinkTarget);
        Assert.Equal("jpeg", await File.ReadAllTextAsync(Path.Combine(target, "uploads", "photo.jpg")));
        Assert.Equal("body {}", await File.ReadAllTextAsync(Path.Combine(target, "themes", "style.css")));
        Assert.Equal(before, Snapshot(outside, owned, volume));

        // The note: every link that leaves the restored folder, with its target; the one that stays inside is not named.
        Assert.Contains("4 symbolic links point outside the restored folder", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("uploads/abs-link -> /etc/hostname (absolute)", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains($"uploads/abs-own -> {owned} (absolute)", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains("uploads/rel-out -> ../../outside (leaves the restored folder)", restore.Stdout, StringComparison.Ordinal);
        Assert.Contains($"media -> {volume} (absolute)", restore.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("themes/current", restore.Stdout, StringComparison.Ordinal);

        // The same in JSON, and the backup named the component that is a link (its content is not in the backup).
        var again = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", _temp.Combine("restored-json"), "--key-file", key, "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        var json = again.Json();
        Assert.Equal(4, json.GetProperty("outsideLinkCount").GetInt64());
        Assert.Equal(
            ["media", "uploads/abs-link", "uploads/abs-own", "uploads/rel-out"],
            json.GetProperty("outsideLinks").EnumerateArray().Select(l => l.GetProperty("path").GetString()).Order(StringComparer.Ordinal));
        var linked = Assert.Single(backup.Json().GetProperty("linkedComponents").EnumerateArray());
        Assert.Equal("media", linked.GetProperty("component").GetString());
        Assert.Equal(volume, linked.GetProperty("target").GetString());
        Assert.Equal(before, Snapshot(outside, owned, volume));
    }

    [Fact]
    public async Task The_backup_says_in_words_when_a_component_is_a_link()
    {
        var volume = _temp.Combine("volume");
        Directory.CreateDirectory(volume);
        await File.WriteAllTextAsync(Path.Combine(volume, "a.jpg"), "a");
        var site = _temp.Combine("site");
        Directory.CreateDirectory(Path.Combine(site, "themes"));
        await File.WriteAllTextAsync(Path.Combine(site, "themes", "style.css"), "body {}");
        Directory.CreateSymbolicLink(Path.Combine(site, "uploads"), volume);
        var key = _temp.Combine("backup.key");
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", key)).ExitCode);

        var backup = await Cli.RunAsync(
            "backup", "--to", Cli.FileUri(_temp.Combine("dest")), "--site", site, "--component", "uploads", "--component", "themes", "--key-file", key);

        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Contains($"  uploads -> {volume}", backup.Stderr, StringComparison.Ordinal);
        Assert.Contains("1 component is a symbolic link", backup.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Content, mode and modification time of the files and folders outside the site, as the kernel reports them.</summary>
    private static string Snapshot(params string[] paths) => string.Join('\n', paths.SelectMany(path =>
        (Directory.Exists(path) ? Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories).Prepend(path) : [path])
        .Order(StringComparer.Ordinal)
        .Select(p => $"{p} {Convert.ToString((int)File.GetUnixFileMode(p), 8)} {File.GetLastWriteTimeUtc(p):O} " +
                     (File.Exists(p) ? File.ReadAllText(p) : "<folder>"))));
}
