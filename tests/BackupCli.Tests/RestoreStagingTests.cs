using System.Diagnostics;
using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>
/// What a restore leaves on disk while it runs and after it is killed: a backupctl process restoring a big file is
/// killed (SIGKILL) in the middle, under umask 000; nothing it leaves may be readable by group or others, and the next
/// restore removes it and restores byte for byte. And a --to-dir that is a symbolic link.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RestoreStagingTests : IDisposable
{
    /// <summary>Big enough that restoring it takes long enough to be killed in the middle.</summary>
    private const int BigFileMiB = 384;

    private readonly TempFolder _temp = new("bf-cli-staging-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_restore_killed_midway_leaves_nothing_others_can_read_and_the_next_restore_removes_it()
    {
        var site = _temp.Combine("site");
        Write(site, "config/secret.php", "<?php $password = 'hunter2';"u8.ToArray(), 0b110_100_100);
        Write(site, "uploads/2024/a-notes.txt", "notes"u8.ToArray(), 0b110_110_110);
        WriteBig(site, "uploads/2024/big.bin");
        File.SetUnixFileMode(Path.Combine(site, "uploads"), (UnixFileMode)0b111_111_111);
        var (destination, backupId, key) = await BackUpAsync(site);
        var parent = _temp.Combine("restore");
        Directory.CreateDirectory(parent);
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_101_101);
        var target = Path.Combine(parent, "site");

        // umask 000: whatever is created with a mode from the archive, or the default mode, would be world-readable.
        using (var process = CliProcess.Start("000", "restore", "--from", destination, backupId, "--to-dir", target, "--key-file", key))
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var staging = await WaitForPartialFileAsync(process, stderr, parent, "big.bin", 16L << 20);
            process.Kill();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode != 0, await stderr);

            Assert.False(Directory.Exists(target));
            var files = FolderModes.AssertPrivate(staging);
            Assert.True(files >= 3, $"{files} files in {staging}");
        }

        var again = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", target, "--key-file", key);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(["site"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
        SiteFolders.AssertIdentical(site, target);
        Assert.Equal(FolderModes.Of(site), FolderModes.Of(target));
    }

    [Fact]
    public async Task A_to_dir_that_is_a_symbolic_link_gets_the_files_in_the_real_folder_and_stays_a_link()
    {
        var site = _temp.Combine("small-site");
        SiteFolders.Create(site);
        var (destination, backupId, key) = await BackUpAsync(site);
        var real = _temp.Combine("releases", "2025-06");
        Directory.CreateDirectory(real);
        var link = _temp.Combine("current");
        Directory.CreateSymbolicLink(link, "releases/2025-06");

        var result = await Cli.RunAsync("restore", "--from", destination, backupId, "--to-dir", link, "--key-file", key);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("releases/2025-06", new DirectoryInfo(link).LinkTarget);
        SiteFolders.AssertIdentical(site, real);
        Assert.Contains($"into {RealPathOf(real)} (the real folder of {link})", result.Stdout, StringComparison.Ordinal);
        Assert.Empty(Directory.GetDirectories(_temp.Path, "*.restoring-*", SearchOption.AllDirectories));
    }

    /// <summary>Waits until a file named <paramref name="name"/> in a staging folder in <paramref name="parent"/> has <paramref name="bytes"/>; returns the staging folder.</summary>
    private static async Task<string> WaitForPartialFileAsync(Process process, Task<string> stderr, string parent, string name, long bytes)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(3))
        {
            if (process.HasExited)
                Assert.Fail($"backupctl ended (exit {process.ExitCode}) before it could be killed: {await stderr}");
            try
            {
                foreach (var staging in Directory.GetDirectories(parent, "*.restoring-*"))
                {
                    if (Directory.EnumerateFiles(staging, name, SearchOption.AllDirectories).Any(f => new FileInfo(f).Length >= bytes))
                        return staging;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The restore is creating and renaming things meanwhile: look again.
            }
            await Task.Delay(5);
        }
        throw new TimeoutException($"no {name} of {bytes} bytes appeared in a staging folder in {parent}");
    }

    private async Task<(string Destination, string BackupId, string KeyFile)> BackUpAsync(string site)
    {
        var key = _temp.Combine(Path.GetFileName(site) + ".key");
        Assert.Equal(0, (await Cli.RunAsync("key", "create", "--out", key)).ExitCode);
        var destination = Cli.FileUri(_temp.Combine(Path.GetFileName(site) + "-dest"));
        var backup = await Cli.RunAsync("backup", "--to", destination, "--site", site, "--key-file", key, "--level", "1", "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        return (destination, backup.Json().GetProperty("backupId").GetString()!, key);
    }

    private static string RealPathOf(string path) => BackupFunctions.Core.Archive.RealPath.Resolve(path);

    private static void Write(string root, string relative, byte[] content, int mode)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
    }

    /// <summary>Incompressible, so that its restore costs real work.</summary>
    private static void WriteBig(string root, string relative)
    {
        var path = Path.Combine(root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var random = new Random(12);
        var block = new byte[1 << 20];
        using var output = File.Create(path);
        for (var i = 0; i < BigFileMiB; i++)
        {
            random.NextBytes(block);
            output.Write(block);
        }
    }
}
