using Azure.Storage.Blobs;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// <see cref="RemoteInPlaceRestoreTests"/> on Azurite's Blob service, through <see cref="AzureBlobSiteTarget"/> opened by
/// <see cref="SiteTargets.Open"/> (connection string from a named app setting), with the site under a prefix of a
/// container that holds other blobs too; plus the Blob caveat: once the swap began writing, a rollback says it could
/// not put the old files back.
/// </summary>
public sealed class BlobRemoteInPlaceRestoreTests : RemoteInPlaceRestoreTests
{
    private const string ConnectionSetting = "SITE_BLOB_CONNECTION";
    private readonly BlobContainerClient _container =
        new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(TestEnvironment.UniqueName("site"));
    private ISiteTarget? _target;

    protected override bool KeepsFolderTimes => false;

    protected override ISiteTarget Target => _target ?? throw new InvalidOperationException("not initialized");

    public override async Task InitializeAsync()
    {
        await _container.CreateAsync();
        // Beside the site's prefix: must survive every restore.
        await _container.GetBlobClient("cms/other/keep.txt").UploadAsync(BinaryData.FromString("keep"));
        var source = new SiteSourceSettings
        {
            Type = SiteSourceTypes.AzureBlob,
            ConnectionSetting = ConnectionSetting,
            Container = _container.Name,
            Prefix = "cms/site",
        };
        _target = SiteTargets.Open(source, name => name == ConnectionSetting ? TestEnvironment.AzuriteConnectionString : null, NetworkPolicy.InternalAllowed);
    }

    public override async Task DisposeAsync()
    {
        Assert.True((await _container.GetBlobClient("cms/other/keep.txt").ExistsAsync()).Value);
        await _container.DeleteIfExistsAsync();
        await base.DisposeAsync();
    }

    protected override async Task<bool> ExistsBesideRootAsync(string name) =>
        (await _container.GetBlobClient("cms/" + name).ExistsAsync()).Value || (await _container.GetBlobClient(name).ExistsAsync()).Value;

    [Fact]
    public async Task A_rollback_before_the_swap_leaves_the_site_and_after_it_began_says_the_pre_restore_backup_is_needed()
    {
        await BackUpAndCopyToTargetAsync();
        await ChangeTargetAsync();
        var before = await SnapshotAsync();

        await StageAsync(new RemoteInPlaceFileRestore(Target, "job-b1"));
        Assert.True(await new RemoteInPlaceFileRestore(Target, "job-b1").RollbackAsync(CancellationToken.None));
        Assert.Equal(before, await SnapshotAsync());
        Assert.Empty(await LeftoversAsync());

        var restore = new RemoteInPlaceFileRestore(Target, "job-b2") { AfterComponentSwapped = _ => throw new IOException("injected") };
        await StageAsync(restore);
        await Assert.ThrowsAsync<IOException>(() => restore.SwapAsync(CancellationToken.None));
        Assert.False(await new RemoteInPlaceFileRestore(Target, "job-b2").RollbackAsync(CancellationToken.None));
        Assert.Empty(await LeftoversAsync());
    }

    [Fact]
    public async Task The_factory_refuses_a_missing_connection_setting_naming_the_field()
    {
        var source = new SiteSourceSettings { Type = SiteSourceTypes.AzureBlob, ConnectionSetting = "NOT_SET", Container = "c" };
        var error = Assert.Throws<ArgumentException>(() => SiteTargets.Open(source, _ => null, NetworkPolicy.InternalAllowed));
        Assert.Contains("files.source.connectionSetting", error.Message, StringComparison.Ordinal);
    }
}
