using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Storage;

/// <summary>What only a local folder has: modes, temporary files and folders.</summary>
public sealed class LocalFolderStoreTests : IDisposable
{
    private const UnixFileMode Mode0660 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;
    private const UnixFileMode Mode0770 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                          | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;

    private readonly TempFolder _folder = new("bf-local-");
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(1));

    private CancellationToken Ct => _timeout.Token;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Files_are_0600_and_folders_0700_by_default()
    {
        if (OperatingSystem.IsWindows())
            return;
        var root = _folder.Combine("root");
        var store = new LocalFolderStore(root);

        await store.PutAsync("site/backups/b1/db.part", new MemoryStream([1, 2, 3]), Ct);

        Assert.Equal(LocalFolderStore.DefaultFileMode, File.GetUnixFileMode(Path.Combine(root, "site/backups/b1/db.part")));
        Assert.Equal((UnixFileMode)0b111_000_000, LocalFolderStore.DefaultFolderMode);
        Assert.Equal((UnixFileMode)0b110_000_000, LocalFolderStore.DefaultFileMode);
        foreach (var folder in new[] { root, Path.Combine(root, "site"), Path.Combine(root, "site/backups"), Path.Combine(root, "site/backups/b1") })
            Assert.Equal(LocalFolderStore.DefaultFolderMode, File.GetUnixFileMode(folder));
    }

    [Fact]
    public async Task Configured_modes_are_applied_exactly_whatever_the_umask()
    {
        if (OperatingSystem.IsWindows())
            return;
        // Group write is what a umask of 022 would strip: seeing it proves the mode is set, not just requested.
        var store = new LocalFolderStore(_folder.Combine("root"), Mode0660, Mode0770);

        await store.PutAsync("a/b", new MemoryStream([1]), Ct);
        await store.PutAsync("a/b", new MemoryStream([2]), Ct);

        Assert.Equal(Mode0660, File.GetUnixFileMode(_folder.Combine("root", "a", "b")));
        Assert.Equal(Mode0770, File.GetUnixFileMode(_folder.Combine("root", "a")));
        Assert.Equal(Mode0770, File.GetUnixFileMode(_folder.Combine("root")));
    }

    [Fact]
    public async Task A_put_in_progress_is_invisible_until_it_completes()
    {
        var store = new LocalFolderStore(_folder.Path);
        var source = new HeldStream(3 * 1024 * 1024);

        var put = store.PutAsync("x/part", source, Ct);
        await source.Paused.WaitAsync(Ct);

        Assert.Null(await store.GetInfoAsync("x/part", Ct));
        Assert.Empty(await ListAsync(store, ""));
        var temp = Assert.Single(Directory.GetFiles(_folder.Combine("x")));
        Assert.StartsWith(".part.tmp-", Path.GetFileName(temp), StringComparison.Ordinal);

        source.Release.SetResult();
        await put;

        Assert.Equal(["x/part"], (await ListAsync(store, "")).Select(i => i.Name));
        Assert.Equal(["part"], Directory.GetFiles(_folder.Combine("x")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_failed_put_removes_its_temporary_file()
    {
        var store = new LocalFolderStore(_folder.Path);

        await Assert.ThrowsAsync<SourceFailedException>(() =>
            store.PutAsync("x/part", new GeneratedStream(10_000_000) { FailAfter = 3_000_000 }, Ct));

        Assert.Empty(Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Stray_temporary_files_are_not_listed_and_their_names_are_refused()
    {
        var store = new LocalFolderStore(_folder.Path);
        await store.PutAsync("x/real", new MemoryStream([1]), Ct);
        // What a crash in the middle of a put leaves behind.
        await File.WriteAllBytesAsync(_folder.Combine("x", ".real.tmp-0123456789ab"), [9, 9], Ct);

        Assert.Equal(["x/real"], (await ListAsync(store, "")).Select(i => i.Name));
        await Assert.ThrowsAsync<ArgumentException>(() => store.PutAsync("x/.real.tmp-0123456789ab", new MemoryStream([1]), Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => store.GetInfoAsync("x/.real.tmp-0123456789ab", Ct));
    }

    [Fact]
    public async Task Delete_tidies_empty_folders_but_keeps_the_root_and_folders_in_use()
    {
        var store = new LocalFolderStore(_folder.Combine("root"));
        await store.PutAsync("s/backups/b1/db.part", new MemoryStream([1]), Ct);
        await store.PutAsync("s/backups/b2/db.part", new MemoryStream([1]), Ct);

        await store.DeleteAsync("s/backups/b1/db.part", Ct);

        Assert.False(Directory.Exists(_folder.Combine("root", "s", "backups", "b1")));
        Assert.True(Directory.Exists(_folder.Combine("root", "s", "backups", "b2")));

        await store.DeleteAsync("s/backups/b2/db.part", Ct);

        Assert.True(Directory.Exists(_folder.Combine("root")));
        Assert.Empty(Directory.GetFileSystemEntries(_folder.Combine("root")));
        // And the next put recreates what it needs.
        await store.PutAsync("s/backups/b3/db.part", new MemoryStream([1]), Ct);
        Assert.NotNull(await store.GetInfoAsync("s/backups/b3/db.part", Ct));
    }

    [Fact]
    public async Task A_name_that_is_a_folder_fails_permanently_and_leaves_no_temporary_file()
    {
        var store = new LocalFolderStore(_folder.Path);
        await store.PutAsync("a/b", new MemoryStream([1]), Ct);

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("a", new MemoryStream([1]), Ct));

        Assert.Contains("'a'", ex.Message, StringComparison.Ordinal);
        Assert.Equal([Path.Combine(_folder.Path, "a", "b")], Directory.GetFiles(_folder.Path, "*", SearchOption.AllDirectories));
        Assert.Null(await store.GetInfoAsync("a", Ct));
        await Assert.ThrowsAsync<StoreObjectNotFoundException>(() => store.OpenReadAsync("a", Ct));
    }

    [Fact]
    public async Task A_put_that_would_pass_the_maximum_size_stops_and_leaves_nothing()
    {
        var root = _folder.Combine("root");
        var store = new LocalFolderStore(root, maxSizeBytes: 5 * 1024 * 1024);
        await store.PutAsync("a/first", new GeneratedStream(3 * 1024 * 1024), Ct);

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("a/second", new GeneratedStream(3 * 1024 * 1024), Ct));

        Assert.Equal(StoreFailureKind.Full, ex.Kind);
        Assert.Contains("maximum", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["a/first"], await NamesAsync(store));
        Assert.Equal(3 * 1024 * 1024, store.UsedBytes());
        Assert.Single(Directory.GetFiles(root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_full_destination_refuses_a_put_before_reading_its_source()
    {
        var store = new LocalFolderStore(_folder.Combine("root"), maxSizeBytes: 1000);
        await store.PutAsync("a/first", new MemoryStream(new byte[1000]), Ct);
        var source = new MemoryStream(new byte[10]);

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("a/second", source, Ct));

        Assert.Equal(StoreFailureKind.Full, ex.Kind);
        Assert.Equal(0, source.Position);
    }

    [Fact]
    public async Task A_leftover_temporary_counts_against_the_maximum_and_the_refusal_says_so_until_it_is_removed()
    {
        var root = _folder.Combine("root");
        var store = new LocalFolderStore(root, maxSizeBytes: 1000);
        await store.PutAsync("a/first", new MemoryStream(new byte[300]), Ct);
        // What a put killed mid-way leaves behind.
        await File.WriteAllBytesAsync(Path.Combine(root, "a", ".second.tmp-0123456789ab"), new byte[700], Ct);

        var ex = await Assert.ThrowsAsync<StoreException>(() => store.PutAsync("a/second", new MemoryStream(new byte[10]), Ct));

        Assert.Equal(StoreFailureKind.Full, ex.Kind);
        Assert.Contains("700 bytes of the destination are temporary files", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1000, store.UsedBytes());

        await store.DeleteTemporaryAsync("a/.second.tmp-0123456789ab", Ct);
        await store.PutAsync("a/second", new MemoryStream(new byte[10]), Ct);
        Assert.Equal(310, store.UsedBytes());
    }

    [Fact]
    public async Task A_re_put_may_use_the_room_of_the_object_it_replaces()
    {
        var store = new LocalFolderStore(_folder.Combine("root"), maxSizeBytes: 1000);
        await store.PutAsync("a/x", new MemoryStream(new byte[900]), Ct);

        await store.PutAsync("a/x", new MemoryStream(new byte[950]), Ct);

        Assert.Equal(950, store.UsedBytes());
    }

    private static async Task<List<string>> NamesAsync(IBackupStore store)
    {
        var names = new List<string>();
        await foreach (var info in store.ListAsync("", CancellationToken.None))
            names.Add(info.Name);
        return names;
    }

    [Fact]
    public void Location_is_a_file_url_of_the_absolute_root()
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, _folder.Combine("r"));

        var store = new LocalFolderStore(relative + Path.DirectorySeparatorChar);

        Assert.Equal("file://" + _folder.Combine("r"), store.Location);
        Assert.Equal(_folder.Combine("r"), store.RootFolder);
    }

    private async Task<List<StoredObjectInfo>> ListAsync(LocalFolderStore store, string prefix)
    {
        var result = new List<StoredObjectInfo>();
        await foreach (var info in store.ListAsync(prefix, Ct))
            result.Add(info);
        return result;
    }
}
