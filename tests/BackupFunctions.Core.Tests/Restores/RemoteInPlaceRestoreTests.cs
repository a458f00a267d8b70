using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// In-place restores of a site that is not a local folder (<see cref="RemoteInPlaceFileRestore"/>), the same on every
/// real target (the derived classes: sshd, Azurite Blob). A local site is backed up with <see cref="SiteArchiver"/>,
/// copied to the target, changed there, and restored into it step by step; snapshots compare every file's SHA-256.
/// </summary>
public abstract class RemoteInPlaceRestoreTests : IAsyncLifetime
{
    protected const string Volume = "files-00001.part";
    private static readonly string[] Components = ["config", "themes", "uploads"];
    private static readonly DateTime OldTime = new(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();
    private byte[] _tar = [];
    private List<FileIndexEntry> _index = [];

    /// <summary>The target of this test's site (a fresh root or prefix per test).</summary>
    protected abstract ISiteTarget Target { get; }

    /// <summary>Whether the target keeps a folder's modification time (Blob has no folders).</summary>
    protected abstract bool KeepsFolderTimes { get; }

    /// <summary>Whether the target keeps a folder's Unix mode (SFTP).</summary>
    protected virtual bool KeepsFolderModes => false;

    /// <summary>Whether something exists at <paramref name="name"/> just outside the site's root (a path that escaped it).</summary>
    protected abstract Task<bool> ExistsBesideRootAsync(string name);

    public abstract Task InitializeAsync();

    public virtual Task DisposeAsync()
    {
        (Target as IDisposable)?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private string Site => _temp.Combine("site");

    [Fact]
    public async Task Whole_components_are_restored_byte_equal_with_extras_removed_and_other_components_untouched()
    {
        var backedUp = await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var changed = await SnapshotAsync();

        var restore = new RemoteInPlaceFileRestore(Target, "job-1", components: ["themes", "uploads"]);
        var progress = new List<ArchiveProgress>();
        var staged = await StageAsync(restore, new ReportedAtOnce(progress.Add));
        Assert.Equal(["themes", "uploads"], staged.Components);
        Assert.Equal(changed, await SnapshotAsync()); // staging touches nothing live
        Assert.Equal(1, staged.Created); // old.jpg, deleted after the backup
        Assert.Equal(2, staged.Deleted); // new.txt and extra/x.txt, added after
        // Staging reports after every file or link it wrote, up to what the counts say it wrote.
        Assert.Equal(Enumerable.Range(1, progress.Count).Select(n => (long)n), progress.Select(p => p.Files));
        Assert.Equal(new ArchiveProgress(staged.Created + staged.Overwritten, staged.Bytes), progress[^1]);

        await restore.SwapAsync(CancellationToken.None);
        var verified = await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        var done = await restore.CompleteAsync(CancellationToken.None);

        var after = await SnapshotAsync();
        Assert.Equal(Only(backedUp, "themes/", "uploads/"), Only(after, "themes/", "uploads/"));
        Assert.Equal(Only(changed, "config/"), Only(after, "config/"));
        Assert.Equal(staged.Created + staged.Overwritten, verified.Verified);
        // Restored folders have the backup's time (and mode), where the target keeps them: given after their content.
        foreach (var name in new[] { "uploads/2024", "themes/t1" })
        {
            var indexed = _index.Single(e => e.Path == name);
            var folder = await Target.GetEntryAsync(name, CancellationToken.None);
            if (KeepsFolderTimes)
                Assert.Equal(indexed.ModifiedAt, folder!.ModifiedAt);
            if (KeepsFolderModes)
                Assert.Equal(Convert.ToString(indexed.Mode, 8), Convert.ToString(folder!.Mode, 8));
        }
        Assert.Equal("750", Convert.ToString(_index.Single(e => e.Path == "uploads/2024").Mode, 8));
        Assert.Equal(staged.Components, done!.Components);
        Assert.Empty(await LeftoversAsync());
    }

    [Fact]
    public async Task Every_step_run_twice_or_after_a_crash_between_components_ends_as_once()
    {
        var backedUp = await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();

        var first = await StageAsync(new RemoteInPlaceFileRestore(Target, "job-2"));
        // A retry after a finished stage returns its counts without reading the volume (a stream that fails if read).
        var again = await new RemoteInPlaceFileRestore(Target, "job-2").StageAsync(new FailingStream(), Volume, _index.ToAsyncEnumerable(), null, CancellationToken.None);
        Assert.Equal(first.Components, again.Components);
        Assert.Equal((first.Created, first.Overwritten, first.Deleted, first.Bytes), (again.Created, again.Overwritten, again.Deleted, again.Bytes));

        // The process dies after the first component's swap: a fresh instance finishes the swap.
        var crashing = new RemoteInPlaceFileRestore(Target, "job-2") { AfterComponentSwapped = _ => throw new IOException("crash") };
        await Assert.ThrowsAsync<IOException>(() => crashing.SwapAsync(CancellationToken.None));
        await new RemoteInPlaceFileRestore(Target, "job-2").SwapAsync(CancellationToken.None);
        await new RemoteInPlaceFileRestore(Target, "job-2").SwapAsync(CancellationToken.None);

        var verified = await new RemoteInPlaceFileRestore(Target, "job-2").VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        var verifiedAgain = await new RemoteInPlaceFileRestore(Target, "job-2").VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        Assert.Equal(verified.Verified, verifiedAgain.Verified);
        Assert.NotNull(await new RemoteInPlaceFileRestore(Target, "job-2").CompleteAsync(CancellationToken.None));
        Assert.Null(await new RemoteInPlaceFileRestore(Target, "job-2").CompleteAsync(CancellationToken.None));

        Assert.Equal(backedUp, await SnapshotAsync());
        Assert.Empty(await LeftoversAsync());
    }

    [Fact]
    public async Task A_dead_jobs_staging_is_rolled_back_by_the_next_start_and_a_running_ones_is_left_alone()
    {
        await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var changed = await SnapshotAsync();
        await StageAsync(new RemoteInPlaceFileRestore(Target, "job-dead"));
        await StageAsync(new RemoteInPlaceFileRestore(Target, "job-alive", components: ["config"]));

        var found = await RemoteInPlaceFileRestore.CleanupLeftoversAsync(Target, new HashSet<string> { "job-next", "job-alive" }, CancellationToken.None);

        Assert.Equal(
            [("job-alive", RestoreLeftover.StagingKind, RestoreLeftover.Running), ("job-dead", RestoreLeftover.StagingKind, RestoreLeftover.RolledBack)],
            found.Select(f => (f.JobId, f.Kind, f.Outcome)).Order());
        Assert.Equal(changed, await SnapshotAsync());
        Assert.All(await LeftoversAsync(), path => Assert.StartsWith(".bf-restore-job-alive", path, StringComparison.Ordinal));
        Assert.NotEmpty(await LeftoversAsync());
    }

    [Fact]
    public async Task A_job_that_died_after_its_swap_is_put_back_where_folders_rename_and_reported_where_not()
    {
        var backedUp = await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var changed = await SnapshotAsync();
        var restore = new RemoteInPlaceFileRestore(Target, "job-swapped");
        await StageAsync(restore);
        await restore.SwapAsync(CancellationToken.None);

        var found = await RemoteInPlaceFileRestore.CleanupLeftoversAsync(Target, new HashSet<string> { "job-next" }, CancellationToken.None);

        Assert.Empty(await LeftoversAsync());
        Assert.Contains(found, f => f.Kind == RestoreLeftover.StagingKind);
        if (Target.CanRenameFolders)
        {
            // The set-aside components were found too and renamed back: the live site is as before the restore.
            Assert.Contains(found, f => f.Kind == RestoreLeftover.SetAsideKind);
            Assert.All(found, f => Assert.Equal(RestoreLeftover.RolledBack, f.Outcome));
            Assert.Equal(changed, await SnapshotAsync());
        }
        else
        {
            // Blob: the swap wrote the live blobs; only the staging could go, and the outcome says so.
            Assert.All(found, f => Assert.Equal(RestoreLeftover.NotReverted, f.Outcome));
            Assert.Equal(backedUp, await SnapshotAsync());
        }
    }

    [Fact]
    public async Task Items_restore_only_the_matched_entries_and_keep_everything_else()
    {
        var backedUp = await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var changed = await SnapshotAsync();

        var restore = new RemoteInPlaceFileRestore(Target, "job-3", items: ["uploads/a.txt"]);
        var staged = await StageAsync(restore);
        await restore.SwapAsync(CancellationToken.None);
        var verified = await restore.VerifyAsync(_index.ToAsyncEnumerable(), null, CancellationToken.None);
        await restore.CompleteAsync(CancellationToken.None);

        Assert.Equal((0L, 1L, 0L, 1L), (staged.Created, staged.Overwritten, staged.Deleted, verified.Verified));
        var expected = new SortedDictionary<string, string>(changed, StringComparer.Ordinal) { ["uploads/a.txt"] = backedUp["uploads/a.txt"] };
        Assert.Equal(expected, await SnapshotAsync());
        Assert.Empty(await LeftoversAsync());
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("uploads/../../x")]
    public async Task A_path_leaving_the_root_in_the_backup_is_refused_and_nothing_is_written(string hostile)
    {
        await BackUpAndCopyToTargetAsync();
        var before = await SnapshotAsync();
        var content = Encoding.UTF8.GetBytes("evil");
        using var tar = new MemoryStream();
        await using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, hostile) { DataStream = new MemoryStream(content) };
            await writer.WriteEntryAsync(entry);
        }
        tar.Position = 0;
        FileIndexEntry[] index = [new(hostile, FileIndexEntry.FileType, content.Length, OldTime, 0b110_100_100, Convert.ToHexStringLower(SHA256.HashData(content)), Volume)];

        var restore = new RemoteInPlaceFileRestore(Target, "job-4");
        await Assert.ThrowsAsync<IntegrityException>(() => restore.StageAsync(tar, Volume, index.ToAsyncEnumerable(), null, CancellationToken.None));

        Assert.False(await ExistsBesideRootAsync("x"));
        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await LeftoversAsync());
        // The target refuses such a path by itself too.
        await Assert.ThrowsAsync<ArgumentException>(() => Target.WriteFileAsync("../x", new MemoryStream(content), DateTimeOffset.UnixEpoch, 0, CancellationToken.None));
    }

    [Fact]
    public async Task A_file_whose_bytes_differ_from_the_index_fails_the_stage_and_touches_nothing_live()
    {
        await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var before = await SnapshotAsync();
        // One flipped byte in the first file's data: the index's SHA-256 no longer matches what is written.
        var damaged = _index.Select(e => e.Path == "uploads/a.txt" ? e with { Sha256 = new string('0', 64) } : e).ToList();

        using var tar = new MemoryStream(_tar, writable: false);
        await Assert.ThrowsAsync<IntegrityException>(
            () => new RemoteInPlaceFileRestore(Target, "job-5").StageAsync(tar, Volume, damaged.ToAsyncEnumerable(), null, CancellationToken.None));

        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await LeftoversAsync());
    }

    protected async Task<InPlaceRestoreCounts> StageAsync(RemoteInPlaceFileRestore restore, IProgress<ArchiveProgress>? progress = null)
    {
        using var tar = new MemoryStream(_tar, writable: false);
        return await restore.StageAsync(tar, Volume, _index.ToAsyncEnumerable(), progress, CancellationToken.None);
    }

    protected IReadOnlyList<FileIndexEntry> Index => _index;

    /// <summary>Backs up a local site and copies it to the target; returns the target's snapshot (the backed-up state).</summary>
    protected async Task<SortedDictionary<string, string>> BackUpAndCopyToTargetAsync()
    {
        var random = new byte[300 * 1024];
        RandomNumberGenerator.Fill(random);
        Write("uploads/a.txt", "original a"u8.ToArray());
        Write("uploads/2024/photo.jpg", random);
        Write("uploads/2024/old.jpg", "old"u8.ToArray());
        Write("themes/t1/style.css", "body{}"u8.ToArray());
        Write("config/settings.php", "<?php"u8.ToArray());
        // A folder with a mode of its own (group may read, others nothing), which a target that keeps modes restores.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(Site, "uploads", "2024"), (UnixFileMode)0b111_101_000);
        foreach (var path in Directory.EnumerateFileSystemEntries(Site, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(path, OldTime);

        using var tar = new MemoryStream();
        var result = await SiteArchiver.WriteAsync(Site, Components, Volume, tar, progress: null, CancellationToken.None);
        _tar = tar.ToArray();
        _index = [.. result.Entries];

        foreach (var entry in _index.Where(e => e.Type == FileIndexEntry.FileType))
        {
            await Target.CreateFolderAsync(entry.Path[..entry.Path.LastIndexOf('/')], CancellationToken.None);
            await using var content = File.OpenRead(Path.Combine(Site, entry.Path));
            await Target.WriteFileAsync(entry.Path, content, entry.ModifiedAt, entry.Mode, CancellationToken.None);
        }
        return await SnapshotAsync();
    }

    /// <summary>Edits, adds and deletes files on the target (as the CMS would after the backup).</summary>
    protected async Task ChangeTargetAsync()
    {
        await PutAsync("uploads/a.txt", "edited a");
        await PutAsync("uploads/new.txt", "added");
        await Target.CreateFolderAsync("uploads/extra", CancellationToken.None);
        await PutAsync("uploads/extra/x.txt", "added below a new folder");
        await Target.DeleteFileAsync("uploads/2024/old.jpg", CancellationToken.None);
        await PutAsync("config/settings.php", "<?php // edited");
    }

    protected async Task PutAsync(string path, string text)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text));
        await Target.WriteFileAsync(path, content, DateTimeOffset.UnixEpoch, 0b110_100_100, CancellationToken.None);
    }

    /// <summary>Every file of the components on the target: path → SHA-256 (links: their kind; folders are not listed by Blob, so left out).</summary>
    protected async Task<SortedDictionary<string, string>> SnapshotAsync()
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var component in Components)
        {
            await foreach (var entry in Target.ListAsync(component, CancellationToken.None))
            {
                if (entry.Type == FileIndexEntry.DirectoryType)
                    continue;
                if (entry.Type != FileIndexEntry.FileType)
                {
                    snapshot[entry.Path] = entry.Type;
                    continue;
                }
                await using var content = await Target.OpenReadAsync(entry.Path, CancellationToken.None);
                snapshot[entry.Path] = Convert.ToHexStringLower(await SHA256.HashDataAsync(content));
            }
        }
        return snapshot;
    }

    /// <summary>Staging and set-aside names left anywhere under the root.</summary>
    protected async Task<List<string>> LeftoversAsync()
    {
        var found = new List<string>();
        await foreach (var entry in Target.ListAsync("", CancellationToken.None))
        {
            if (entry.Path.StartsWith(".bf-restore-", StringComparison.Ordinal) || entry.Path.Contains(".replaced-", StringComparison.Ordinal) || entry.Path.Contains(".bf-write-", StringComparison.Ordinal))
                found.Add(entry.Path);
        }
        return found;
    }

    private static SortedDictionary<string, string> Only(SortedDictionary<string, string> snapshot, params string[] prefixes) =>
        new(snapshot.Where(p => prefixes.Any(x => p.Key.StartsWith(x, StringComparison.Ordinal))).ToDictionary(), StringComparer.Ordinal);

    private void Write(string relative, byte[] content)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>Progress reports as they come (Progress&lt;T&gt; would post them later).</summary>
    private sealed class ReportedAtOnce(Action<ArchiveProgress> report) : IProgress<ArchiveProgress>
    {
        public void Report(ArchiveProgress value) => report(value);
    }

    private sealed class FailingStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("read");

        public override int Read(Span<byte> buffer) => throw new InvalidOperationException("read");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => throw new InvalidOperationException("read");

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => throw new InvalidOperationException("read");
    }
}
