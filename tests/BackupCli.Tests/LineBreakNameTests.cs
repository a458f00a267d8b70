using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// A site file whose name (or a link whose target) holds a line break, as anyone who can upload may create. POSIX tar
/// allows it, but .NET's tar reader, which every restore and verification uses, refuses the whole volume for it: such
/// a backup verified at write time and then could not be restored at all (exit 1, "The extended header contains
/// invalid records"). The entry is now left out and named, and the rest of the site restores.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LineBreakNameTests : IDisposable
{
    private readonly TempFolder _temp = new("bf-cli-linebreak-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_name_with_a_line_break_is_left_out_and_named_and_the_rest_of_the_site_restores()
    {
        var site = _temp.Combine("site");
        Directory.CreateDirectory(Path.Combine(site, "uploads", "evil\nfolder"));
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "a\nb.txt"), "x");
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "evil\nfolder", "inside.txt"), "y");
        File.CreateSymbolicLink(Path.Combine(site, "uploads", "link"), "line\nbreak");
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "ok.txt"), "kept");
        var key = _temp.Combine("backup.key");
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", key)).ExitCode);
        var destination = Cli.FileUri(_temp.Combine("dest"));

        var backup = await Cli.RunAsync("backup", "--to", destination, "--site", site, "--key-file", key, "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var json = backup.Json();
        var backupId = json.GetProperty("backupId").GetString()!;
        var named = json.GetProperty("changedFiles").EnumerateArray()
            .Select(c => (c.GetProperty("path").GetString(), c.GetProperty("change").GetString())).ToList();
        Assert.Equal(
            [("uploads/a\nb.txt", "unreadableName"), ("uploads/evil\nfolder", "unreadableName"),
             ("uploads/evil\nfolder/inside.txt", "unreadableName"), ("uploads/link", "unreadableName")],
            named.Order());

        var verify = await Cli.RunAsync("verify", "--from", destination, backupId, "--read-data", "--key-file", key);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var target = _temp.Combine("restored");
        var restore = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", target, "--key-file", key);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("kept", await File.ReadAllTextAsync(Path.Combine(target, "uploads", "ok.txt")));
        Assert.Equal(["ok.txt"], Directory.EnumerateFileSystemEntries(Path.Combine(target, "uploads")).Select(Path.GetFileName));
    }
}
