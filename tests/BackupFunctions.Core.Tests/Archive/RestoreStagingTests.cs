using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// The staging folder of a restore: private (0700 folders, 0600 files) until the archive's modes are applied just
/// before the swap; stale ones removed when the next restore begins beside them, a running one's never; a target that
/// is (or lies below) a symbolic link restored into the real folder, the link left alone.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RestoreStagingTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public RestoreStagingTests()
    {
        Directory.CreateDirectory(Parent);
        File.SetUnixFileMode(Parent, (UnixFileMode)0b111_101_101);
    }

    public void Dispose()
    {
        // The sites have read-only folders: make them writable again so that the temp folder can go as any user.
        foreach (var folder in Directory.EnumerateDirectories(_temp.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (new DirectoryInfo(folder).LinkTarget is null)
                File.SetUnixFileMode(folder, File.GetUnixFileMode(folder) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        _temp.Dispose();
    }

    private string Site => _temp.Combine("site");

    private string Parent => _temp.Combine("restore");

    private static readonly string[] Components = ["bin", "config", "uploads"];

    [Fact]
    public async Task Until_Complete_every_folder_in_staging_is_0700_and_every_file_0600_then_the_archives_modes_are_applied()
    {
        var (tar, index) = await ArchiveSiteAsync();
        var target = Path.Combine(Parent, "site");

        using (var extraction = SiteExtraction.Begin(target))
        {
            await extraction.AddVolumeAsync(tar, TarBuilder.Volume, index, null, CancellationToken.None);

            // Everything is written and checked, nothing swapped yet: the staging folder holds the whole site.
            Assert.False(Directory.Exists(target));
            Assert.StartsWith(target + ".restoring-", extraction.StagingDirectory, StringComparison.Ordinal);
            var files = FolderModes.AssertPrivate(extraction.StagingDirectory);
            Assert.True(files >= 6, $"{files} files in staging");
            extraction.Complete();
        }

        Assert.Equal(Modes(Site), Modes(target));
        Assert.Contains("777", Modes(target).Values); // bin/tools: the archive's mode, however wide, once restored
        var probe = _temp.Combine("new-folder");
        Directory.CreateDirectory(probe);
        Assert.Equal(File.GetUnixFileMode(probe), File.GetUnixFileMode(target));
        Assert.Equal(["site"], Directory.GetFileSystemEntries(Parent).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_failed_extraction_leaves_no_staging_folder()
    {
        var (tar, index) = await ArchiveSiteAsync();
        var damaged = index.Select(e => e.Path == "uploads/2024/photo.bin" ? e with { Sha256 = new string('0', 64) } : e).ToList();

        await Assert.ThrowsAsync<BackupFunctions.Core.Format.IntegrityException>(
            () => SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, Path.Combine(Parent, "site"), damaged, null, CancellationToken.None));

        Assert.Empty(Directory.GetFileSystemEntries(Parent));
    }

    [Fact]
    public async Task Beginning_a_restore_removes_stale_staging_folders_beside_it_but_not_the_one_a_running_restore_holds()
    {
        var (tar, index) = await ArchiveSiteAsync();
        // A restore into a sibling folder that is still running: its staging folder is locked.
        using var running = SiteExtraction.Begin(Path.Combine(Parent, "blog"));
        await running.AddVolumeAsync(tar, TarBuilder.Volume, index, null, CancellationToken.None);
        // Left by restores that died: killed midway (lock file, not held), a version before locks (no lock file), one
        // killed while its folder was being born, and one into another target of the same parent.
        var killed = Stale("site.restoring-0123456789ab", withLock: true);
        var beforeLocks = Stale("site.restoring-ba9876543210", withLock: false);
        var killedAtBirth = Stale("site.restoring-cccccccccccc.new", withLock: true);
        var emptyBirth = Directory.CreateDirectory(Path.Combine(Parent, "site.restoring-dddddddddddd.new")).FullName;
        var otherTarget = Stale("shop.restoring-eeeeeeeeeeee", withLock: true);
        // Not staging folders: another name, and a link with a staging name to a folder elsewhere.
        var notStaging = Stale("site.restoring-backup", withLock: true);
        var elsewhere = _temp.Combine("elsewhere");
        Directory.CreateDirectory(elsewhere);
        File.WriteAllText(Path.Combine(elsewhere, "keep.txt"), "keep");
        var link = Path.Combine(Parent, "link.restoring-ffffffffffff");
        Directory.CreateSymbolicLink(link, elsewhere);
        tar.Position = 0;

        using (var extraction = SiteExtraction.Begin(Path.Combine(Parent, "site")))
        {
            Assert.False(Directory.Exists(killed));
            Assert.False(Directory.Exists(beforeLocks));
            Assert.False(Directory.Exists(killedAtBirth));
            Assert.False(Directory.Exists(emptyBirth));
            Assert.False(Directory.Exists(otherTarget));
            Assert.True(Directory.Exists(running.StagingDirectory), "the running restore's staging folder was removed");
            Assert.True(Directory.Exists(notStaging));
            Assert.Equal(elsewhere, new DirectoryInfo(link).LinkTarget);
            Assert.True(File.Exists(Path.Combine(elsewhere, "keep.txt")));

            await extraction.AddVolumeAsync(tar, TarBuilder.Volume, index, null, CancellationToken.None);
            extraction.Complete();
        }

        running.Complete();
        Assert.Equal(Modes(Site), Modes(Path.Combine(Parent, "site")));
        Assert.Equal(Modes(Site), Modes(Path.Combine(Parent, "blog")));
    }

    [Fact]
    public void Stale_staging_folders_in_a_folder_others_may_write_to_are_left_alone()
    {
        // In /tmp-like folders anyone can plant a folder with a staging name; a restore does not delete trees there.
        File.SetUnixFileMode(Parent, (UnixFileMode)0b1_111_111_111);
        var planted = Stale("site.restoring-0123456789ab", withLock: true);

        using (SiteExtraction.Begin(Path.Combine(Parent, "site")))
            Assert.True(Directory.Exists(planted));
    }

    [Fact]
    public async Task A_target_that_is_a_symbolic_link_is_restored_into_the_real_folder_and_the_link_stays()
    {
        var (tar, index) = await ArchiveSiteAsync();
        var real = Path.Combine(Parent, "real");
        Directory.CreateDirectory(real);
        var link = Path.Combine(Parent, "current");
        Directory.CreateSymbolicLink(link, "real");

        await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, link, index, null, CancellationToken.None);

        Assert.Equal("real", new DirectoryInfo(link).LinkTarget);
        Assert.Equal(Modes(Site), Modes(real));
        Assert.Equal(["current", "real"], Directory.GetFileSystemEntries(Parent).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_link_to_a_folder_that_does_not_exist_yet_and_a_link_above_the_target_are_followed()
    {
        var (tar, index) = await ArchiveSiteAsync();
        var dangling = Path.Combine(Parent, "next");
        Directory.CreateSymbolicLink(dangling, "releases/2025");
        Directory.CreateDirectory(_temp.Combine("volumes", "data"));
        var linkedParent = _temp.Combine("data");
        Directory.CreateSymbolicLink(linkedParent, "volumes/data");

        await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, dangling, index, null, CancellationToken.None);
        tar.Position = 0;
        using (var extraction = SiteExtraction.Begin(Path.Combine(linkedParent, "site")))
        {
            Assert.Equal(_temp.Combine("volumes", "data", "site"), extraction.TargetDirectory);
            Assert.StartsWith(_temp.Combine("volumes", "data", "site.restoring-"), extraction.StagingDirectory, StringComparison.Ordinal);
            await extraction.AddVolumeAsync(tar, TarBuilder.Volume, index, null, CancellationToken.None);
            extraction.Complete();
        }

        Assert.Equal("releases/2025", new DirectoryInfo(dangling).LinkTarget);
        Assert.Equal(Modes(Site), Modes(Path.Combine(Parent, "releases", "2025")));
        Assert.Equal("volumes/data", new DirectoryInfo(linkedParent).LinkTarget);
        Assert.Equal(Modes(Site), Modes(_temp.Combine("volumes", "data", "site")));
    }

    [Fact]
    public void RealPath_resolves_links_physically_and_refuses_a_loop()
    {
        Directory.CreateDirectory(_temp.Combine("deep", "inner"));
        Directory.CreateSymbolicLink(_temp.Combine("jump"), "deep/inner");
        Directory.CreateSymbolicLink(_temp.Combine("loop-a"), "loop-b");
        Directory.CreateSymbolicLink(_temp.Combine("loop-b"), "loop-a");
        var temp = RealPath.Resolve(_temp.Path);

        // "jump/.." is the parent of deep/inner, not the folder jump is in.
        Assert.Equal(Path.Combine(temp, "deep"), RealPath.Resolve(_temp.Combine("jump") + "/.."));
        Assert.Equal(Path.Combine(temp, "deep", "inner", "new", "site"), RealPath.Resolve(_temp.Combine("jump", "new", "site")));
        Assert.Equal(Path.Combine(temp, "deep", "inner"), RealPath.Resolve(_temp.Combine("jump") + "/"));
        Assert.Throws<IOException>(() => RealPath.Resolve(_temp.Combine("loop-a", "site")));
    }

    /// <summary>A stale staging folder with a restored tree inside (and a lock file nobody holds).</summary>
    private string Stale(string name, bool withLock)
    {
        var folder = Path.Combine(Parent, name);
        Directory.CreateDirectory(Path.Combine(folder, "tree", "config"));
        File.WriteAllText(Path.Combine(folder, "tree", "config", "secret.php"), "<?php $password = 'x';");
        if (withLock)
            File.WriteAllBytes(Path.Combine(folder, "lock"), []);
        // A read-only folder inside, as a restore that died after applying modes could leave.
        File.SetUnixFileMode(Path.Combine(folder, "tree", "config"), (UnixFileMode)0b101_101_101);
        return folder;
    }

    /// <summary>The modes of the components (the site root itself is not archived).</summary>
    private static SortedDictionary<string, string> Modes(string root)
    {
        var modes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in Components)
        {
            modes[component] = Convert.ToString((int)File.GetUnixFileMode(Path.Combine(root, component)), 8);
            foreach (var (path, mode) in FolderModes.Of(Path.Combine(root, component)))
                modes[component + "/" + path] = mode;
        }
        return modes;
    }

    /// <summary>A site with folders and files of many modes, and a link, archived as a backup would archive it.</summary>
    private async Task<(MemoryStream Tar, IReadOnlyList<FileIndexEntry> Index)> ArchiveSiteAsync()
    {
        Write("bin/tools/run.sh", "#!/bin/sh\n"u8.ToArray(), 0b111_101_101);
        Write("config/secret.php", "<?php $password = 'hunter2';"u8.ToArray(), 0b110_100_000);
        Write("config/own.txt", "mine"u8.ToArray(), 0b110_000_000);
        Write("config/read-only.txt", "ro"u8.ToArray(), 0b100_100_100);
        Write("uploads/2024/photo.bin", new byte[300_000], 0b110_100_100);
        Write("uploads/shared.txt", "everyone"u8.ToArray(), 0b110_110_110);
        File.CreateSymbolicLink(Path.Combine(Site, "config", "current.php"), "secret.php");
        File.SetUnixFileMode(Path.Combine(Site, "bin", "tools"), (UnixFileMode)0b111_111_111);
        File.SetUnixFileMode(Path.Combine(Site, "config"), (UnixFileMode)0b111_101_000);
        File.SetUnixFileMode(Path.Combine(Site, "uploads", "2024"), (UnixFileMode)0b101_101_101);

        var tar = new MemoryStream();
        var result = await SiteArchiver.WriteAsync(Site, Components, TarBuilder.Volume, tar, null, CancellationToken.None);
        tar.Position = 0;
        return (tar, result.Entries);
    }

    private void Write(string relative, byte[] content, int mode)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
    }
}
