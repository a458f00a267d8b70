using BackupFunctions.Core.Network;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// <see cref="RemoteInPlaceRestoreTests"/> on the test sshd (scripts/servers/sshd.sh), through <see cref="SftpSiteTarget"/>
/// opened by <see cref="SiteTargets.Open"/> from a config's source settings (key login, pinned host key); plus what only a
/// target with folder renames promises: a rollback puts the original components back.
/// </summary>
public sealed class SftpRemoteInPlaceRestoreTests(SftpServer server) : RemoteInPlaceRestoreTests, IClassFixture<SftpServer>
{
    private const string KeySetting = "SITE_SFTP_KEY";
    private ISiteTarget? _target;
    private string _root = "";

    protected override bool KeepsFolderTimes => true;

    protected override bool KeepsFolderModes => true;

    protected override ISiteTarget Target => _target ?? throw new InvalidOperationException("not initialized");

    public override async Task InitializeAsync()
    {
        using var client = SftpServer.Connect();
        // The site's root, absolute as files.source.root must be, below this class's folder: one per test.
        _root = $"{client.WorkingDirectory.TrimEnd('/')}/{server.Folder}/{TestEnvironment.UniqueName("site")}";
        await client.CreateDirectoryAsync(_root, CancellationToken.None);
        var source = new SiteSourceSettings
        {
            Type = SiteSourceTypes.Sftp,
            Host = SftpServer.Host,
            Port = SftpServer.Port,
            User = SftpServer.User,
            HostKeyFingerprint = SftpServer.HostKey,
            Root = _root,
            PrivateKeySetting = KeySetting,
        };
        var key = File.ReadAllText(SftpServer.KeyFile);
        _target = SiteTargets.Open(source, name => name == KeySetting ? key : null, NetworkPolicy.InternalAllowed);
    }

    protected override Task<bool> ExistsBesideRootAsync(string name)
    {
        using var client = SftpServer.Connect();
        return Task.FromResult(client.Exists(_root[.._root.LastIndexOf('/')] + "/" + name));
    }

    [Fact]
    public async Task A_rollback_after_a_failed_swap_puts_the_original_components_back()
    {
        await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var before = await SnapshotAsync();

        await StageAsync(new RemoteInPlaceFileRestore(Target, "job-r"));
        var restore = new RemoteInPlaceFileRestore(Target, "job-r") { AfterComponentSwapped = name => throw new IOException($"injected after {name}") };
        await Assert.ThrowsAsync<IOException>(() => restore.SwapAsync(CancellationToken.None));
        Assert.NotNull(await Target.GetEntryAsync("config.replaced-job-r", CancellationToken.None));

        Assert.True(await new RemoteInPlaceFileRestore(Target, "job-r").RollbackAsync(CancellationToken.None));
        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await LeftoversAsync());
        Assert.True(await new RemoteInPlaceFileRestore(Target, "job-r").RollbackAsync(CancellationToken.None)); // idempotent
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_rollback_after_the_whole_swap_and_a_failed_verification_puts_the_original_back()
    {
        await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var before = await SnapshotAsync();

        var restore = new RemoteInPlaceFileRestore(Target, "job-v");
        await StageAsync(restore);
        await restore.SwapAsync(CancellationToken.None);
        // Something outside the service changes a restored file before verification: it fails, and the restore rolls back.
        await PutAsync("uploads/2024/photo.jpg", "changed behind the restore's back");
        await Assert.ThrowsAsync<BackupFunctions.Core.Format.IntegrityException>(() => restore.VerifyAsync(Index.ToAsyncEnumerable(), null, CancellationToken.None));
        Assert.True(await restore.RollbackAsync(CancellationToken.None));

        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await LeftoversAsync());
    }

    [Fact]
    public async Task Nothing_is_written_through_a_link_planted_in_the_site()
    {
        using var client = SftpServer.Connect();
        var outside = $"{_root}-outside";
        await client.CreateDirectoryAsync(outside, CancellationToken.None);
        try
        {
            client.SymbolicLink(outside, _root + "/uploads");
            await Assert.ThrowsAsync<IOException>(() => Target.WriteFileAsync("uploads/a.txt", new MemoryStream("x"u8.ToArray()), DateTimeOffset.UnixEpoch, 0, CancellationToken.None));
            Assert.False(client.Exists(outside + "/a.txt"));
            Assert.Equal(BackupFunctions.Core.Archive.FileIndexEntry.SymbolicLinkType, (await Target.GetEntryAsync("uploads", CancellationToken.None))?.Type);
        }
        finally
        {
            // SSH.NET cannot remove a link (it resolves the path first, even a dangling link's); the test sshd is
            // local and not chrooted, so the link goes through the local file system.
            File.Delete(_root + "/uploads");
            await SftpServer.DeleteTreeAsync(client, outside);
        }
    }

    [Fact]
    public async Task A_live_link_in_a_component_to_replace_is_refused_before_anything_changes_and_its_target_survives()
    {
        await BackUpAndCopyToTargetAsync();
        var before = await SnapshotAsync();
        using var client = SftpServer.Connect();
        var outside = $"{_root}-outside.txt";
        await SftpServer.PlantAsync(outside[(client.WorkingDirectory.TrimEnd('/').Length + 1)..], "must survive"u8.ToArray());
        client.SymbolicLink(outside, _root + "/uploads/evil");
        try
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StageAsync(new RemoteInPlaceFileRestore(Target, "job-l")));
            Assert.Contains("uploads/evil", error.Message, StringComparison.Ordinal);
            Assert.Equal("must survive", client.ReadAllText(outside));
            Assert.Empty(await LeftoversAsync());
            Assert.Equal(BackupFunctions.Core.Archive.FileIndexEntry.SymbolicLinkType, (await Target.GetEntryAsync("uploads/evil", CancellationToken.None))?.Type);
            await Assert.ThrowsAsync<IOException>(() => Target.DeleteFileAsync("uploads/evil", CancellationToken.None));
            Assert.Equal("must survive", client.ReadAllText(outside));
        }
        finally
        {
            File.Delete(_root + "/uploads/evil"); // the link itself, locally (see above)
            client.DeleteFile(outside);
        }
        Assert.Equal(before, await SnapshotAsync());
    }
}
