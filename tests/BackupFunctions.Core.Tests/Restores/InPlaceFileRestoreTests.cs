using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// In-place restores on a real file system: a site is backed up with <see cref="SiteArchiver"/>, changed, and restored
/// into itself step by step; every check compares whole-tree snapshots (names, kinds, bytes, modes, times, link targets).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InPlaceFileRestoreTests : IDisposable
{
    private const string Volume = "files-00001.part";
    private static readonly DateTime OldTime = new(2021, 3, 4, 5, 6, 7, 890, DateTimeKind.Utc);
    private static readonly string[] Components = ["config", "themes", "uploads"];

    private readonly TempFolder _temp = new();
    private byte[] _tar = [];
    private List<FileIndexEntry> _index = [];

    public void Dispose()
    {
        // Restored read-only folders would stop the temp folder's removal.
        foreach (var dir in Directory.EnumerateDirectories(_temp.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (new DirectoryInfo(dir).LinkTarget is null)
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_000_000);
        }
        _temp.Dispose();
    }

    private string Site => _temp.Combine("site");

    private string Outside => _temp.Combine("outside");

    [Fact]
    public async Task A_changed_site_is_restored_exactly_as_backed_up()
    {
        var backedUp = await BackUpSiteAsync();
        ChangeSite();
        Assert.NotEqual(backedUp, Snapshot(Site));

        var staged = await StageAsync(new InPlaceRestoreRequest("job-1", Site));
        Assert.Equal(Components, staged.Components);
        Assert.NotEqual(backedUp, Snapshot(Site, skipRestoreFolders: true)); // staging touches nothing live

        var restore = new InPlaceFileRestore(new InPlaceRestoreRequest("job-1", Site));
        restore.Swap();
        var verified = await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        var done = restore.Complete();

        Assert.Equal(backedUp, Snapshot(Site));
        // old.jpg (deleted after the backup) is created; new.txt and extra/x.txt (added after) are deleted.
        Assert.Equal(1, staged.Created);
        Assert.Equal(2, staged.Deleted);
        Assert.Equal(0, staged.Skipped);
        Assert.Equal(_index.Count(e => e.Type != FileIndexEntry.DirectoryType), staged.Created + staged.Overwritten);
        Assert.Equal(_index.Where(e => e.Type == FileIndexEntry.FileType).Sum(e => e.Size), staged.Bytes);
        Assert.Equal(staged.Created + staged.Overwritten, verified.Verified);
        AssertSameCounts(staged, done!);
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
    }

    [Fact]
    public async Task A_failure_after_the_first_component_is_swapped_rolls_back_to_the_site_before()
    {
        await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);

        await StageAsync(new InPlaceRestoreRequest("job-2", Site));
        var restore = new InPlaceFileRestore(new InPlaceRestoreRequest("job-2", Site))
        {
            AfterComponentSwapped = name => throw new IOException($"injected after {name}"),
        };
        Assert.Throws<IOException>(restore.Swap);
        Assert.True(Directory.Exists(Path.Combine(Site, "config.replaced-job-2")));

        restore.Rollback();
        Assert.Equal(before, Snapshot(Site));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
        restore.Rollback(); // idempotent
        Assert.Equal(before, Snapshot(Site));
    }

    [Fact]
    public async Task A_component_that_cannot_be_set_aside_fails_the_swap_and_the_rollback_restores_the_others()
    {
        await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);
        await StageAsync(new InPlaceRestoreRequest("job-3", Site));
        // Something outside the service takes the set-aside name of the last component after staging.
        var foreign = Path.Combine(Site, "uploads.replaced-job-3");
        Directory.CreateDirectory(foreign);
        File.WriteAllText(Path.Combine(foreign, "not-ours.txt"), "x");

        var restore = new InPlaceFileRestore(new InPlaceRestoreRequest("job-3", Site));
        Assert.ThrowsAny<IOException>(restore.Swap);
        restore.Rollback();

        Assert.Equal("x", File.ReadAllText(Path.Combine(foreign, "not-ours.txt")));
        Directory.Delete(foreign, recursive: true);
        Assert.Equal(before, Snapshot(Site));
    }

    [Fact]
    public async Task An_empty_folder_that_appears_under_a_set_aside_name_is_not_replaced_by_the_swap()
    {
        await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);
        await StageAsync(new InPlaceRestoreRequest("job-11", Site));
        // rename(2) would silently replace an empty folder: the swap must refuse it like any other.
        var foreign = Path.Combine(Site, "themes.replaced-job-11");
        Directory.CreateDirectory(foreign);

        var restore = new InPlaceFileRestore(new InPlaceRestoreRequest("job-11", Site));
        Assert.ThrowsAny<IOException>(restore.Swap);
        restore.Rollback();

        Assert.True(Directory.Exists(foreign));
        Directory.Delete(foreign);
        Assert.Equal(before, Snapshot(Site));
    }

    [Fact]
    public async Task A_component_missing_from_the_live_site_is_created_and_a_rollback_removes_it_again()
    {
        var backedUp = await BackUpSiteAsync();
        Directory.Delete(Path.Combine(Site, "themes"), recursive: true);
        var before = Snapshot(Site);

        var request = new InPlaceRestoreRequest("job-12", Site, OverwriteExisting: false);
        var staged = await StageAsync(request);
        Assert.Equal(["themes"], staged.Components);
        var failing = new InPlaceFileRestore(request) { AfterComponentSwapped = _ => throw new IOException("injected") };
        Assert.Throws<IOException>(failing.Swap);
        Assert.True(Directory.Exists(Path.Combine(Site, "themes")));
        failing.Rollback();
        Assert.Equal(before, Snapshot(Site));

        staged = await StageAsync(request);
        var restore = new InPlaceFileRestore(request);
        restore.Swap();
        await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        restore.Complete();
        Assert.Equal(backedUp, Snapshot(Site));
        Assert.Equal(2, staged.Created); // style.css and the link
    }

    [Fact]
    public async Task Staging_refuses_a_set_aside_name_that_is_taken_and_touches_nothing()
    {
        await BackUpSiteAsync();
        ChangeSite();
        Directory.CreateDirectory(Path.Combine(Site, "uploads.replaced-job-13"));
        var before = Snapshot(Site);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StageAsync(new InPlaceRestoreRequest("job-13", Site)));
        Assert.Contains("uploads.replaced-job-13", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(Site));
    }

    [Fact]
    public async Task A_crash_between_and_within_steps_converges_on_fresh_instances()
    {
        var backedUp = await BackUpSiteAsync();
        ChangeSite();
        var request = new InPlaceRestoreRequest("job-4", Site);

        var first = await StageAsync(request);
        // A retried stage returns the finished stage's counts without reading anything.
        var again = await new InPlaceFileRestore(request).StageAsync(Stream.Null, Volume, AsyncEnumerable.Empty<FileIndexEntry>(), null, CancellationToken.None);
        AssertSameCounts(first, again);

        // The process dies after the second component is swapped.
        var crashing = new InPlaceFileRestore(request) { AfterComponentSwapped = name => { if (name == "themes") throw new OperationCanceledException("killed"); } };
        Assert.Throws<OperationCanceledException>(crashing.Swap);
        // …and, on a retry, between the two renames of the third (live set aside, staged not yet in).
        Directory.Move(Path.Combine(Site, "uploads"), Path.Combine(Site, "uploads.replaced-job-4"));

        new InPlaceFileRestore(request).Swap();
        new InPlaceFileRestore(request).Swap();
        var verified = await new InPlaceFileRestore(request).VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        Assert.True(verified.Verified > 0);
        new InPlaceFileRestore(request).Complete();
        Assert.Null(new InPlaceFileRestore(request).Complete());
        new InPlaceFileRestore(request).Rollback(); // nothing left to roll back: no harm

        Assert.Equal(backedUp, Snapshot(Site));
    }

    [Fact]
    public async Task Without_overwrite_only_what_is_missing_is_restored_and_the_rest_is_skipped()
    {
        var backedUp = await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);

        var request = new InPlaceRestoreRequest("job-5", Site, OverwriteExisting: false);
        var staged = await StageAsync(request);
        var restore = new InPlaceFileRestore(request);
        restore.Swap();
        var verified = await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        restore.Complete();

        // What the live site had stays as it was; what only the backup had comes back.
        var expected = new SortedDictionary<string, string>(before, StringComparer.Ordinal);
        foreach (var (path, value) in backedUp.Where(b => !before.ContainsKey(b.Key)))
            expected[path] = value;
        Assert.Equal(expected, Snapshot(Site));
        Assert.Contains("uploads/2024/old.jpg", expected.Keys);
        Assert.Equal(1, staged.Created);
        Assert.Equal(0, staged.Overwritten);
        Assert.Equal(0, staged.Deleted);
        Assert.Equal(_index.Count(e => e.Type != FileIndexEntry.DirectoryType) - 1, staged.Skipped);
        Assert.Equal(1, verified.Verified);
    }

    [Fact]
    public async Task Selected_items_restore_the_matched_entries_and_touch_nothing_else()
    {
        var backedUp = await BackUpSiteAsync();
        ChangeSite();
        File.WriteAllText(Path.Combine(Site, "themes/t1/style.css"), "edited after the backup");
        var before = Snapshot(Site);
        string[] items = ["uploads/2024/**", "themes/*/style.css"];

        var request = new InPlaceRestoreRequest("job-6", Site, Items: items);
        var staged = await StageAsync(request);
        var restore = new InPlaceFileRestore(request);
        restore.Swap();
        await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        restore.Complete();

        var globs = RestoreSelection.Parse(items);
        var expected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, value) in before.Where(b => !globs.Includes(b.Key)))
            expected[path] = value;
        foreach (var (path, value) in before.Where(b => globs.Includes(b.Key)))
            expected[path] = backedUp.GetValueOrDefault(path, value);
        foreach (var (path, value) in backedUp.Where(b => globs.Includes(b.Key)))
            expected[path] = value;
        Assert.Equal(expected, Snapshot(Site));
        Assert.Equal(backedUp["uploads/2024/old.jpg"], expected["uploads/2024/old.jpg"]);
        Assert.Equal(before["uploads/a.txt"], expected["uploads/a.txt"]);
        Assert.Equal(["themes", "uploads"], staged.Components);
        Assert.Equal(1, staged.Created); // old.jpg
        Assert.Equal(2, staged.Overwritten); // photo.jpg, style.css
    }

    [Fact]
    public async Task A_live_folder_replaced_by_a_link_is_restored_without_writing_through_the_link()
    {
        await BackUpSiteAsync();
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "photo.jpg"), "outside, not the site's");
        Directory.Delete(Path.Combine(Site, "uploads/2024"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(Site, "uploads/2024"), Outside);
        var outsideBefore = Snapshot(Outside);

        var request = new InPlaceRestoreRequest("job-7", Site, Items: ["uploads/2024/**"]);
        await StageAsync(request);
        var restore = new InPlaceFileRestore(request);
        restore.Swap();
        await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        restore.Complete();

        Assert.Equal(outsideBefore, Snapshot(Outside));
        Assert.Null(new DirectoryInfo(Path.Combine(Site, "uploads/2024")).LinkTarget);
        Assert.Equal("photo", File.ReadAllText(Path.Combine(Site, "uploads/2024/photo.jpg")));

        // Without overwrite, the link stands for what the backup has below it: skipped, not followed.
        File.Delete(Path.Combine(Site, "uploads/2024/old.jpg"));
        Directory.Delete(Path.Combine(Site, "uploads/2024"), recursive: true);
        File.CreateSymbolicLink(Path.Combine(Site, "uploads/2024"), Outside);
        var keep = new InPlaceRestoreRequest("job-8", Site, OverwriteExisting: false);
        var staged = await StageAsync(keep);
        new InPlaceFileRestore(keep).Swap();
        new InPlaceFileRestore(keep).Complete();
        Assert.Equal(outsideBefore, Snapshot(Outside));
        Assert.Equal(Outside, new FileInfo(Path.Combine(Site, "uploads/2024")).LinkTarget);
        Assert.Equal(0, staged.Created);
    }

    [Theory]
    [InlineData("../etc/passwd")]
    [InlineData("/etc/**")]
    [InlineData("uploads/../../x")]
    [InlineData("uploads/./x")]
    [InlineData("uploads\\x")]
    [InlineData("C:/x")]
    [InlineData("~/x")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("uploads/\n")]
    public void Hostile_items_are_refused(string item)
    {
        Directory.CreateDirectory(Site);
        var error = Assert.Throws<ArgumentException>(() => new InPlaceFileRestore(new InPlaceRestoreRequest("job", Site, Items: [item])));
        Assert.Contains("items", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new InPlaceFileRestore(new InPlaceRestoreRequest("job", Site, Items: [.. Enumerable.Repeat("uploads/**", RestoreSelection.MaxItems + 1)])));
    }

    [Theory]
    [InlineData("../job", "/tmp/site")]
    [InlineData("job/x", "/tmp/site")]
    [InlineData("", "/tmp/site")]
    [InlineData("job", "relative/site")]
    [InlineData("job", "")]
    public void Hostile_job_ids_and_site_roots_are_refused(string jobId, string siteRoot)
    {
        Assert.Throws<ArgumentException>(() => new InPlaceFileRestore(new InPlaceRestoreRequest(jobId, siteRoot)));
        Assert.Throws<ArgumentException>(() => new InPlaceFileRestore(new InPlaceRestoreRequest("job", "/tmp/site", Components: ["../etc"])));
    }

    [Fact]
    public async Task A_site_root_reached_through_a_link_is_restored_into_the_real_folder()
    {
        var backedUp = await BackUpSiteAsync();
        ChangeSite();
        var link = _temp.Combine("site-link");
        File.CreateSymbolicLink(link, Site);

        var request = new InPlaceRestoreRequest("job-9", link);
        var restore = new InPlaceFileRestore(request);
        Assert.Equal(Site, restore.SiteRoot);
        await StageAsync(request);
        restore.Swap();
        restore.Complete();

        Assert.Equal(Site, new FileInfo(link).LinkTarget);
        Assert.Equal(backedUp, Snapshot(Site));
    }

    [Fact]
    public async Task A_tampered_volume_fails_at_stage_time_and_leaves_the_site_unchanged()
    {
        await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);
        var at = FindBytes(_tar, "photo"u8.ToArray());
        _tar[at] ^= 0x01;

        await Assert.ThrowsAsync<IntegrityException>(() => StageAsync(new InPlaceRestoreRequest("job-10", Site)));

        Assert.Equal(before, Snapshot(Site));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
        Assert.Throws<InvalidOperationException>(new InPlaceFileRestore(new InPlaceRestoreRequest("job-10", Site)).Swap);
    }

    [Fact]
    public async Task Leftovers_of_a_job_that_died_mid_swap_are_found_and_rolled_back()
    {
        await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);
        await StageAsync(new InPlaceRestoreRequest("dead", Site));
        var dying = new InPlaceFileRestore(new InPlaceRestoreRequest("dead", Site)) { AfterComponentSwapped = _ => throw new OperationCanceledException("killed") };
        Assert.Throws<OperationCanceledException>(dying.Swap);
        await StageAsync(new InPlaceRestoreRequest("alive", Site, Components: ["uploads"]));

        var found = InPlaceFileRestore.FindLeftovers(Site);
        Assert.Contains(found, f => f is { JobId: "dead", Kind: RestoreLeftover.StagingKind });
        Assert.Contains(found, f => f is { JobId: "dead", Kind: RestoreLeftover.SetAsideKind } && f.Path.EndsWith("config.replaced-dead", StringComparison.Ordinal));

        var cleaned = InPlaceFileRestore.CleanupLeftovers(Site, new HashSet<string>(["alive"], StringComparer.Ordinal));
        Assert.All(cleaned.Where(c => c.JobId == "dead"), c => Assert.Equal(RestoreLeftover.RolledBack, c.Outcome));
        Assert.All(cleaned.Where(c => c.JobId == "alive"), c => Assert.Equal(RestoreLeftover.Running, c.Outcome));
        Assert.Equal(before, Snapshot(Site, skipRestoreFolders: true));
        Assert.Equal(["alive"], InPlaceFileRestore.FindLeftovers(Site).Select(f => f.JobId));

        new InPlaceFileRestore(new InPlaceRestoreRequest("alive", Site)).Rollback();
        Assert.Equal(before, Snapshot(Site));
    }

    [Fact]
    public async Task Unchanged_live_files_are_reused_by_hard_link_and_everything_else_is_written_from_the_backup()
    {
        Write("uploads/keep.txt", "kept as it is");
        Write("themes/t1/kept.css", "p{}");
        Write("uploads/tampered.txt", "genuine");
        Write("uploads/aliased.txt", "has a second name");
        var backedUp = await BackUpSiteAsync();
        ChangeSite();
        // Same size, mode and time as backed up, other bytes (as `touch -d` would hide a change): never reused.
        Write("uploads/tampered.txt", "forged!");
        File.SetLastWriteTimeUtc(Path.Combine(Site, "uploads/tampered.txt"), OldTime);
        var tamperedEntry = _index.Single(e => e.Path == "uploads/tampered.txt");
        Assert.Equal(tamperedEntry.Size, new FileInfo(Path.Combine(Site, "uploads/tampered.txt")).Length);
        Assert.Equal(tamperedEntry.ModifiedAt.UtcDateTime, File.GetLastWriteTimeUtc(Path.Combine(Site, "uploads/tampered.txt")));
        // A file with a name outside the site: reusing it would leave that alias to a restored file.
        Directory.CreateDirectory(Outside);
        Assert.Equal(0, Mono.Unix.Native.Syscall.link(Path.Combine(Site, "uploads/aliased.txt"), Path.Combine(Outside, "alias.txt")));
        var paths = new[] { "uploads/keep.txt", "themes/t1/kept.css", "uploads/tampered.txt", "uploads/aliased.txt", "uploads/a.txt", "config/settings.php" };
        var before = paths.ToDictionary(p => p, p => Inode(Path.Combine(Site, p)));

        var staged = await StageAsync(new InPlaceRestoreRequest("job-reuse", Site));
        // Shared with staging now; the live inodes themselves are unchanged (Snapshot compares bytes, modes, times).
        Assert.Equal(2UL, LinkCount(Path.Combine(Site, "uploads/keep.txt")));
        var restore = new InPlaceFileRestore(new InPlaceRestoreRequest("job-reuse", Site));
        restore.Swap();
        var verified = await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        restore.Complete();

        Assert.Equal(backedUp, Snapshot(Site));
        Assert.Equal(staged.Created + staged.Overwritten, verified.Verified);
        Assert.Equal(_index.Where(e => e.Type == FileIndexEntry.FileType).Sum(e => e.Size), staged.Bytes);
        // Reused, so counted unchanged: keep.txt, kept.css and style.css (photo.jpg was touched, the rest changed).
        Assert.Equal(3, staged.Unchanged);
        // Reused: the same inode, now the only name again.
        Assert.Equal(before["uploads/keep.txt"], Inode(Path.Combine(Site, "uploads/keep.txt")));
        Assert.Equal(before["themes/t1/kept.css"], Inode(Path.Combine(Site, "themes/t1/kept.css")));
        Assert.Equal(1UL, LinkCount(Path.Combine(Site, "uploads/keep.txt")));
        // Written from the backup: tampered, aliased, edited (a.txt) and with another mode (settings.php).
        foreach (var path in new[] { "uploads/tampered.txt", "uploads/aliased.txt", "uploads/a.txt", "config/settings.php" })
            Assert.NotEqual(before[path], Inode(Path.Combine(Site, path)));
        Assert.Equal("genuine", File.ReadAllText(Path.Combine(Site, "uploads/tampered.txt")));
        Assert.Equal("has a second name", File.ReadAllText(Path.Combine(Outside, "alias.txt")));
        Assert.Equal(1UL, LinkCount(Path.Combine(Site, "uploads/aliased.txt")));
    }

    [Fact]
    public async Task A_rollback_after_the_swap_puts_back_the_live_files_with_reused_ones_unchanged()
    {
        Write("uploads/keep.txt", "kept as it is");
        await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);
        var keep = Inode(Path.Combine(Site, "uploads/keep.txt"));
        await StageAsync(new InPlaceRestoreRequest("job-reuse-back", Site));
        var restore = new InPlaceFileRestore(new InPlaceRestoreRequest("job-reuse-back", Site));
        restore.Swap();
        Assert.Equal(keep, Inode(Path.Combine(Site, "uploads/keep.txt"))); // the swapped-in component holds the reused inode

        restore.Rollback();

        Assert.Equal(before, Snapshot(Site));
        Assert.Equal(keep, Inode(Path.Combine(Site, "uploads/keep.txt")));
        Assert.Equal(1UL, LinkCount(Path.Combine(Site, "uploads/keep.txt")));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
    }

    [Fact]
    public async Task A_tampered_entry_whose_live_file_is_unchanged_still_fails_and_leaves_the_site_unchanged()
    {
        Write("uploads/keep.txt", "kept as it is");
        await BackUpSiteAsync();
        ChangeSite();
        var before = Snapshot(Site);
        var keep = Inode(Path.Combine(Site, "uploads/keep.txt"));
        // The live file equals the index, so it is linked; the archive's bytes must still be proven.
        _tar[FindBytes(_tar, "kept as it is"u8.ToArray())] ^= 0x01;

        var failure = await Assert.ThrowsAsync<IntegrityException>(() => StageAsync(new InPlaceRestoreRequest("job-reuse-bad", Site)));

        Assert.Contains("uploads/keep.txt", failure.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(Site));
        Assert.Equal(keep, Inode(Path.Combine(Site, "uploads/keep.txt")));
        Assert.Equal(1UL, LinkCount(Path.Combine(Site, "uploads/keep.txt")));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
    }

    [Fact]
    public async Task Selected_items_write_fresh_copies_and_reuse_nothing()
    {
        Write("uploads/keep.txt", "kept as it is");
        var backedUp = await BackUpSiteAsync();
        var keep = Inode(Path.Combine(Site, "uploads/keep.txt"));
        await StageAsync(new InPlaceRestoreRequest("job-merge", Site, Items: ["uploads/keep.txt"]));
        var restore = new InPlaceFileRestore(new InPlaceRestoreRequest("job-merge", Site));
        restore.Swap();
        restore.Complete();

        Assert.Equal(backedUp, Snapshot(Site));
        Assert.NotEqual(keep, Inode(Path.Combine(Site, "uploads/keep.txt")));
    }

    private static ulong Inode(string path) => Mono.Unix.Native.Syscall.lstat(path, out var stat) == 0 ? stat.st_ino : throw new IOException(path);

    private static ulong LinkCount(string path) => Mono.Unix.Native.Syscall.lstat(path, out var stat) == 0 ? stat.st_nlink : throw new IOException(path);

    /// <summary>Builds the site, backs it up (tar + index kept in memory) and returns its snapshot.</summary>
    private async Task<SortedDictionary<string, string>> BackUpSiteAsync()
    {
        Write("uploads/a.txt", "original a");
        Write("uploads/2024/photo.jpg", "photo");
        Write("uploads/2024/old.jpg", "old");
        Write("themes/t1/style.css", "body{}");
        Write("config/settings.php", "<?php", (UnixFileMode)0b110_100_000);
        Directory.CreateDirectory(Path.Combine(Site, "uploads/empty"));
        Directory.CreateDirectory(Path.Combine(Site, "config/locked"));
        File.CreateSymbolicLink(Path.Combine(Site, "themes/t1/current"), "style.css");
        foreach (var path in Directory.EnumerateFileSystemEntries(Site, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (new FileInfo(path).LinkTarget is null)
                File.SetLastWriteTimeUtc(path, OldTime);
        }
        File.SetUnixFileMode(Path.Combine(Site, "config/locked"), (UnixFileMode)0b101_000_000);

        using var tar = new MemoryStream();
        var result = await SiteArchiver.WriteAsync(Site, Components, Volume, tar, progress: null, CancellationToken.None);
        _tar = tar.ToArray();
        _index = [.. result.Entries];
        return Snapshot(Site);
    }

    /// <summary>Edits, adds and deletes files, removes an empty folder, changes a mode and retargets a link.</summary>
    private void ChangeSite()
    {
        Write("uploads/a.txt", "edited a");
        Write("uploads/new.txt", "added");
        Write("uploads/extra/x.txt", "added below a new folder");
        File.Delete(Path.Combine(Site, "uploads/2024/old.jpg"));
        Directory.Delete(Path.Combine(Site, "uploads/empty"));
        File.SetUnixFileMode(Path.Combine(Site, "config/settings.php"), (UnixFileMode)0b110_000_000);
        File.Delete(Path.Combine(Site, "themes/t1/current"));
        File.CreateSymbolicLink(Path.Combine(Site, "themes/t1/current"), "/etc/passwd");
        File.SetLastWriteTimeUtc(Path.Combine(Site, "uploads/2024/photo.jpg"), DateTime.UtcNow);
    }

    private async Task<InPlaceRestoreCounts> StageAsync(InPlaceRestoreRequest request)
    {
        using var tar = new MemoryStream(_tar, writable: false);
        return await new InPlaceFileRestore(request).StageAsync(tar, Volume, _index.ToAsyncEnumerable(), null, CancellationToken.None);
    }

    private void Write(string relative, string content, UnixFileMode? mode = null)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        if (mode is { } m)
            File.SetUnixFileMode(path, m);
    }

    /// <summary>
    /// Every entry below <paramref name="root"/> (not the root itself): kind, mode, modification time and SHA-256 of
    /// files, target of links. Links are not followed.
    /// </summary>
    public static SortedDictionary<string, string> Snapshot(string root, bool skipRestoreFolders = false)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Visit(string folder)
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(folder))
            {
                var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
                if (skipRestoreFolders && (relative.StartsWith(".bf-restore-", StringComparison.Ordinal) || relative.Contains(".replaced-", StringComparison.Ordinal)))
                    continue;
                var info = new FileInfo(path);
                if (info.LinkTarget is { } target)
                {
                    snapshot[relative] = "link -> " + target;
                    continue;
                }
                var mode = Convert.ToString((int)File.GetUnixFileMode(path), 8);
                var time = File.GetLastWriteTimeUtc(path).Ticks.ToString(CultureInfo.InvariantCulture);
                if (Directory.Exists(path))
                {
                    snapshot[relative] = $"dir {mode} {time}";
                    var readable = File.GetUnixFileMode(path);
                    File.SetUnixFileMode(path, readable | UnixFileMode.UserRead | UnixFileMode.UserExecute);
                    Visit(path);
                    File.SetUnixFileMode(path, readable);
                    continue;
                }
                snapshot[relative] = $"file {mode} {time} {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)))}";
            }
        }

        Visit(root);
        return snapshot;
    }

    private static void AssertSameCounts(InPlaceRestoreCounts expected, InPlaceRestoreCounts actual)
    {
        Assert.Equal(expected.Components, actual.Components);
        Assert.Equal(expected with { Components = Array.Empty<string>() }, actual with { Components = Array.Empty<string>() });
    }

    private static int FindBytes(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
        {
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle) && Encoding.ASCII.GetString(haystack, Math.Max(0, i - 1), 1) != "/")
                return i;
        }
        throw new InvalidOperationException("not found");
    }
}
