using BackupFunctions.Core.Network;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// <see cref="RemoteInPlaceRestoreTests"/> on an Azure Files share through <see cref="AzureFilesSiteTarget"/>, opened by
/// <see cref="SiteTargets.Open"/> (connection string from a named app setting). The share is the documented
/// <see cref="AzureFilesStandIn"/> (Azurite has no Files service): the real SDK client over HTTP, folders renamed on
/// the server, so the restore stages and swaps as it does on SFTP.
/// </summary>
public sealed class AzureFilesRemoteInPlaceRestoreTests : RemoteInPlaceRestoreTests
{
    private const string ConnectionSetting = "SITE_FILES_CONNECTION";
    private const string Folder = "wwwroot/site";
    private AzureFilesStandIn? _standIn;
    private ISiteTarget? _target;

    protected override bool KeepsFolderTimes => true;

    protected override ISiteTarget Target => _target ?? throw new InvalidOperationException("not initialized");

    public override async Task InitializeAsync()
    {
        _standIn = await AzureFilesStandIn.StartAsync();
        Directory.CreateDirectory(_standIn.Local(Folder));
        var source = new SiteSourceSettings
        {
            Type = SiteSourceTypes.AzureFiles,
            ConnectionSetting = ConnectionSetting,
            Share = _standIn.ShareName,
            Prefix = Folder,
        };
        _target = SiteTargets.Open(source, name => name == ConnectionSetting ? _standIn.ConnectionString : null, NetworkPolicy.InternalAllowed);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_standIn is not null)
            await _standIn.DisposeAsync();
    }

    protected override Task<bool> ExistsBesideRootAsync(string name) =>
        Task.FromResult(Path.Exists(_standIn!.Local("wwwroot/" + name)) || Path.Exists(_standIn.Local(name)));
}
