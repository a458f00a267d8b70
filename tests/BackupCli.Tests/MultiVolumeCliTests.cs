using System.Security.Cryptography;
using BackupCli.Tests.Support;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Restores;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// backupctl ls / verify / restore of a backup in three files volumes (format version 2, written by the test writer
/// <see cref="MultiVolumeBackup"/>): listed, deep-verified and restored byte-exact into a folder and in place, with one
/// and with two volumes at a time.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MultiVolumeCliTests : IDisposable
{
    private const string BackupId = "20261201-030000-volumes";
    private static readonly string[] Components = ["themes", "uploads"];

    private readonly TempFolder _temp = new("bf-cli-volumes-");

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    [Fact]
    public async Task A_backup_in_three_volumes_is_listed_verified_and_restored_by_backupctl()
    {
        var (destination, key) = await BackUpAsync();

        var ls = await Cli.RunAsync("ls", "--from", destination, "--json");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Contains(BackupId, ls.Stdout, StringComparison.Ordinal);

        var verify = await Cli.RunAsync("verify", "--from", destination, BackupId, "--read-data", "--key-file", key);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("OK:", verify.Stdout, StringComparison.Ordinal);

        foreach (var parallel in new[] { "1", "2" })
        {
            var target = _temp.Combine("restored-" + parallel);
            var restore = await Cli.RunAsync("restore", "--from", destination, BackupId, "--to-dir", target, "--key-file", key, "--parallel", parallel);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            Assert.Equal(InPlaceFileRestoreTests.Snapshot(Site), InPlaceFileRestoreTests.Snapshot(target));
        }
    }

    [Fact]
    public async Task A_backup_in_three_volumes_is_restored_in_place_by_backupctl()
    {
        var (destination, key) = await BackUpAsync();
        var atBackup = InPlaceFileRestoreTests.Snapshot(Site);
        File.WriteAllText(Path.Combine(Site, "uploads", "big", "b.bin"), "changed");
        File.Delete(Path.Combine(Site, "uploads", "big", "d.bin"));

        var restore = await Cli.RunAsync("restore", "--from", destination, BackupId, "--in-place", "--to-dir", Site,
            "--no-pre-restore-backup", "--key-file", key, "--parallel", "2");

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(atBackup, InPlaceFileRestoreTests.Snapshot(Site));
    }

    [Fact]
    public async Task A_parallelism_out_of_range_is_a_usage_error()
    {
        var result = await Cli.RunAsync("restore", "--from", Cli.FileUri(_temp.Combine("dest")), BackupId, "--to-dir", _temp.Combine("x"), "--parallel", "0");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--parallel must be 1-16", result.Stderr, StringComparison.Ordinal);
    }

    /// <summary>Volume 1 up to uploads/big/b.bin, volume 2 the rest of uploads/big, volume 3 from uploads/empty on.</summary>
    private async Task<(string Destination, string Key)> BackUpAsync()
    {
        var key = _temp.Combine("backup.key");
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", key)).ExitCode);
        Write("themes/t1/style.css", "body{}"u8.ToArray());
        File.CreateSymbolicLink(Path.Combine(Site, "themes", "current"), "t1");
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
            Write($"uploads/big/{name}.bin", RandomNumberGenerator.GetBytes(200_000));
        Directory.CreateDirectory(Path.Combine(Site, "uploads", "empty"));
        Write("uploads/ünïcødé 日本.txt", "ünïcødé"u8.ToArray());

        var volume = 1;
        await new MultiVolumeBackup
        {
            VolumeOf = (_, entry) =>
            {
                if (entry.Path is "uploads/big/c.bin" or "uploads/empty")
                    volume++;
                return volume;
            },
        }.WriteAsync(new LocalFolderStore(_temp.Combine("dest")), $"backups/{BackupId}/", BackupId, Site, Components, new LocalKeyFileKek(key));
        return (Cli.FileUri(_temp.Combine("dest")), key);
    }

    private void Write(string relative, byte[] content)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc));
    }
}
