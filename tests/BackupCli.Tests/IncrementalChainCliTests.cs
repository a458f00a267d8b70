using System.Security.Cryptography;
using System.Text.Json;
using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Restores;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// backupctl with a chain from a bare destination: <c>backup --type incremental</c> three times after a full (a file
/// changed, one added, one deleted, a mode changed, a file replaced by a folder), then <c>ls</c> shows each backup's
/// type, base and chain, <c>verify</c> (quick and <c>--read-data</c>) checks the referenced volumes too, and
/// <c>restore</c> restores every point byte-exact into a folder and the newest in place; a missing referenced backup or
/// a damaged referenced volume is an integrity failure (exit 3) naming it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IncrementalChainCliTests : IDisposable
{
    private readonly TempFolder _temp = new("bf-cli-chain-");

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    private string Destination => Cli.FileUri(_temp.Combine("dest"));

    private string Key => _temp.Combine("backup.key");

    [Fact]
    public async Task A_chain_is_listed_verified_and_restored_at_every_point_by_backupctl()
    {
        var (ids, points) = await BuildChainAsync();

        var ls = await Cli.RunAsync("ls", "--from", Destination, "--json");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        var listed = JsonDocument.Parse(ls.Stdout).RootElement.GetProperty("backups").EnumerateArray().ToDictionary(b => b.GetProperty("backupId").GetString()!);
        Assert.Equal("files", listed[ids[0]].GetProperty("type").GetString());
        for (var i = 1; i < ids.Count; i++)
        {
            Assert.Equal("incremental", listed[ids[i]].GetProperty("type").GetString());
            Assert.Equal(ids[i - 1], listed[ids[i]].GetProperty("baseBackupId").GetString());
        }
        // The newest reads unchanged files from the full (big files never changed) and from the backup that changed a.txt.
        var chain = listed[ids[3]].GetProperty("references").EnumerateArray().Select(r => r.GetString()).ToList();
        Assert.Contains(ids[0], chain);
        Assert.Contains(ids[1], chain);
        var table = await Cli.RunAsync("ls", "--from", Destination);
        Assert.Contains("TYPE", table.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{ids[3]}: incremental on {ids[2]}, reads unchanged files from ", table.Stdout, StringComparison.Ordinal);

        var quick = await Cli.RunAsync("verify", "--from", Destination, ids[3], "--json");
        Assert.True(quick.ExitCode == 0, quick.ToString());
        Assert.Contains($"\"{ids[0]}/files-00001.part\"", quick.Stdout, StringComparison.Ordinal);
        var keyed = await Cli.RunAsync("verify", "--from", Destination, ids[3], "--key-file", Key);
        Assert.True(keyed.ExitCode == 0, keyed.ToString());
        Assert.Contains("manifest authentic", keyed.Stdout, StringComparison.Ordinal);
        var deep = await Cli.RunAsync("verify", "--from", Destination, ids[3], "--read-data", "--key-file", Key, "--json");
        Assert.True(deep.ExitCode == 0, deep.ToString());
        // Every file of the newest point checked against the index, those in the full's volumes included.
        Assert.Equal(points[3].Count(p => !p.Value.StartsWith("dir ", StringComparison.Ordinal)),
            JsonDocument.Parse(deep.Stdout).RootElement.GetProperty("files").GetInt64());

        for (var i = 0; i < ids.Count; i++)
        {
            var target = _temp.Combine("restored-" + i);
            var restore = await Cli.RunAsync("restore", "--from", Destination, ids[i], "--to-dir", target, "--key-file", Key, "--parallel", "2");
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Equal(points[i], InPlaceFileRestoreTests.Snapshot(target));
        }
    }

    [Fact]
    public async Task An_incremental_is_restored_in_place_by_backupctl()
    {
        var (ids, points) = await BuildChainAsync();
        File.WriteAllText(Path.Combine(Site, "uploads", "big", "a.bin"), "damaged by a compromise");
        File.Delete(Path.Combine(Site, "uploads", "a.txt"));

        var restore = await Cli.RunAsync("restore", "--from", Destination, ids[3], "--in-place", "--to-dir", Site,
            "--no-pre-restore-backup", "--key-file", Key, "--parallel", "2");

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(points[3], InPlaceFileRestoreTests.Snapshot(Site));
    }

    [Fact]
    public async Task A_missing_referenced_backup_makes_ls_verify_and_restore_fail_naming_it()
    {
        var (ids, _) = await BuildChainAsync();
        var full = Path.Combine(_temp.Combine("dest"), "backups", ids[0]);
        File.Delete(Path.Combine(full, "manifest.json"));

        var ls = await Cli.RunAsync("ls", "--from", Destination, "--json");
        var verify = await Cli.RunAsync("verify", "--from", Destination, ids[3], "--key-file", Key);
        var restore = await Cli.RunAsync("restore", "--from", Destination, ids[3], "--to-dir", _temp.Combine("restored"), "--key-file", Key);

        Assert.Equal(3, ls.ExitCode);
        var newest = JsonDocument.Parse(ls.Stdout).RootElement.GetProperty("backups").EnumerateArray().Single(b => b.GetProperty("backupId").GetString() == ids[3]);
        Assert.Equal("damaged", newest.GetProperty("status").GetString());
        Assert.Contains($"backup {ids[0]}, which this backup references, is missing", newest.GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, verify.ExitCode);
        Assert.Contains($"backups/{ids[0]}/manifest.json", verify.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, restore.ExitCode);
        Assert.Contains($"backups/{ids[0]}/manifest.json", restore.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("restored")));
    }

    [Fact]
    public async Task A_damaged_referenced_volume_fails_quick_and_deep_verification_and_the_restore()
    {
        var (ids, _) = await BuildChainAsync();
        FlipByte(Path.Combine(_temp.Combine("dest"), "backups", ids[0], "files-00001.part"));

        var quick = await Cli.RunAsync("verify", "--from", Destination, ids[3]);
        var deep = await Cli.RunAsync("verify", "--from", Destination, ids[3], "--read-data", "--key-file", Key);
        var restore = await Cli.RunAsync("restore", "--from", Destination, ids[3], "--to-dir", _temp.Combine("restored"), "--key-file", Key);

        Assert.Equal(3, quick.ExitCode);
        Assert.Contains($"{ids[0]}/files-00001.part: SHA-256 of the stored bytes does not match", quick.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, deep.ExitCode);
        Assert.Contains($"{ids[0]}/files-00001.part", deep.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, restore.ExitCode);
        Assert.Contains($"backups/{ids[0]}/files-00001.part", restore.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("restored")));
    }

    /// <summary>A full and three incrementals by <c>backupctl backup --type incremental</c>; the ids and the site at each.</summary>
    private async Task<(List<string> Ids, List<SortedDictionary<string, string>> Points)> BuildChainAsync()
    {
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", Key)).ExitCode);
        Write("themes/t1/style.css", "body{}"u8.ToArray());
        File.CreateSymbolicLink(Path.Combine(Site, "themes", "current"), "t1");
        Write("uploads/a.txt", "original a"u8.ToArray());
        foreach (var name in new[] { "a", "b", "c" })
            Write($"uploads/big/{name}.bin", RandomNumberGenerator.GetBytes(200_000));
        Directory.CreateDirectory(Path.Combine(Site, "uploads", "empty"));
        Write("uploads/ünïcødé 日本.txt", "ünïcødé"u8.ToArray());
        Write("uploads/thing", "a file, then a folder"u8.ToArray());

        var ids = new List<string>();
        var points = new List<SortedDictionary<string, string>>();
        for (var i = 0; i < 4; i++)
        {
            switch (i)
            {
                case 1:
                    Write("uploads/a.txt", "changed a, longer"u8.ToArray(), hour: 1);
                    Write("uploads/new.txt", "added"u8.ToArray(), hour: 1);
                    break;
                case 2:
                    File.Delete(Path.Combine(Site, "uploads", "big", "b.bin"));
                    File.SetUnixFileMode(Path.Combine(Site, "themes", "t1", "style.css"), (UnixFileMode)0b110_000_000);
                    break;
                case 3:
                    File.Delete(Path.Combine(Site, "uploads", "thing"));
                    Write("uploads/thing/inner.txt", "inside"u8.ToArray(), hour: 3);
                    break;
            }
            foreach (var dir in Directory.EnumerateDirectories(Site, "*", SearchOption.AllDirectories).Reverse())
                Directory.SetLastWriteTimeUtc(dir, new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddHours(i));
            points.Add(InPlaceFileRestoreTests.Snapshot(Site));
            var backup = await Cli.RunAsync("backup", "--to", Destination, "--site", Site, "--component", "themes", "--component", "uploads",
                "--type", "incremental", "--key-file", Key);
            Assert.True(backup.ExitCode == 0, backup.ToString());
            ids.Add(backup.Stdout.Trim());
        }
        return (ids, points);
    }

    private void Write(string relative, byte[] content, int hour = 0)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddHours(hour));
    }

    private static void FlipByte(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var at = stream.Length / 2;
        stream.Position = at;
        var value = stream.ReadByte();
        stream.Position = at;
        stream.WriteByte((byte)(value ^ 0x5A));
    }
}
