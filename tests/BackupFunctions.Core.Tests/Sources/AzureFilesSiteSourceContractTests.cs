using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// The contract on an Azure Files share (files.source type azureFiles, a folder, the connection string from a
/// BackupSecrets__ app setting), opened through <see cref="SiteSources"/> as a backup opens it. The share is the
/// documented <see cref="AzureFilesStandIn"/> (Azurite has no Files service): the real SDK over HTTP. Files over REST
/// keep no links and no Unix modes.
/// </summary>
public sealed class AzureFilesSiteSourceContractTests : SiteSourceContractTests, IAsyncLifetime
{
    private const string Folder = "wwwroot/site";
    private AzureFilesStandIn? _standIn;

    private AzureFilesStandIn StandIn => _standIn ?? throw new InvalidOperationException("not initialized");

    protected override bool HoldsLinks => false;

    protected override bool KeepsModes => false;

    public async Task InitializeAsync() => _standIn = await AzureFilesStandIn.StartAsync();

    public async Task DisposeAsync()
    {
        if (_standIn is not null)
            await _standIn.DisposeAsync();
    }

    protected override Task<ISiteSource> CreateSiteAsync(string localFolder, IReadOnlyList<string> components)
    {
        var site = StandIn.Local(Folder);
        foreach (var folder in Directory.EnumerateDirectories(localFolder, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(site, Path.GetRelativePath(localFolder, folder)));
        foreach (var file in Directory.EnumerateFiles(localFolder, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(site, Path.GetRelativePath(localFolder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
            File.Copy(file, copy);
            // The share's last-write time is the file's: the walk must report the site's own times.
            File.SetLastWriteTimeUtc(copy, File.GetLastWriteTimeUtc(file));
        }
        foreach (var folder in Directory.EnumerateDirectories(localFolder, "*", SearchOption.AllDirectories))
            Directory.SetLastWriteTimeUtc(Path.Combine(site, Path.GetRelativePath(localFolder, folder)), Directory.GetLastWriteTimeUtc(folder));
        var source = Factory(Local, ("BackupSecrets:SiteFiles", StandIn.ConnectionString)).Open(new FilesSource
        {
            Source = new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, ConnectionSetting = "BackupSecrets__SiteFiles", Share = StandIn.ShareName, Prefix = Folder },
            Components = components,
        });
        return Task.FromResult(source);
    }

    protected override Task RemoveAsync(string path)
    {
        File.Delete(StandIn.Local(Folder + "/" + path));
        return Task.CompletedTask;
    }
}
