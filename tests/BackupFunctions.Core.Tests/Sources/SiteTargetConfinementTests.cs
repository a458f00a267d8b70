using Azure.Storage.Blobs;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// An in-place restore writes a Blob or Azure Files site through the same connect-time network confinement a backup
/// reads it through (<see cref="SiteSources.OpenTarget"/>): with no internal range allowed, Azurite and the Files
/// stand-in on 127.0.0.1 are refused before a byte is sent; with them allowed, the same settings work.
/// </summary>
public sealed class SiteTargetConfinementTests
{
    private const string ConnectionSetting = "BackupSecrets__SiteConnection";

    [Fact]
    public async Task A_blob_site_is_written_only_where_the_network_policy_allows()
    {
        var settings = new SiteSourceSettings { Type = SiteSourceTypes.AzureBlob, ConnectionSetting = ConnectionSetting, Container = TestEnvironment.UniqueName("bfnone"), Prefix = "wp" };

        var container = new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(settings.Container);
        await container.CreateAsync();
        try
        {
            await container.UploadBlobAsync("wp/uploads/a.txt", BinaryData.FromString("a"));
            await AssertRefusedAsync(Factory(new NetworkPolicy([]), TestEnvironment.AzuriteConnectionString), settings);
            Assert.Equal(["uploads"], (await ListRootAsync(Factory(NetworkPolicy.InternalAllowed, TestEnvironment.AzuriteConnectionString), settings)).Select(e => e.Path));
        }
        finally
        {
            await container.DeleteAsync();
        }
    }

    [Fact]
    public async Task An_azure_files_site_is_written_only_where_the_network_policy_allows()
    {
        await using var standIn = await AzureFilesStandIn.StartAsync();
        Directory.CreateDirectory(standIn.Local("wwwroot/uploads"));
        var settings = new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, ConnectionSetting = ConnectionSetting, Share = standIn.ShareName, Prefix = "wwwroot" };

        await AssertRefusedAsync(Factory(new NetworkPolicy([]), standIn.ConnectionString), settings);
        Assert.Equal(["uploads"], (await ListRootAsync(Factory(NetworkPolicy.InternalAllowed, standIn.ConnectionString), settings)).Select(e => e.Path));
    }

    private static SiteSources Factory(NetworkPolicy network, string connectionString) => new(
        new SiteRoots(Options.Create(new FilesOptions()), Options.Create(new StorageOptions { LocalRoot = "" }), Options.Create(new KeyOptions { LocalKeyFile = "" })),
        network, TestSecretReferences.With(("BackupSecrets:SiteConnection", connectionString)));

    private static async Task<List<SiteEntry>> ListRootAsync(SiteSources factory, SiteSourceSettings settings)
    {
        using (factory)
        {
            var target = factory.OpenTarget(settings);
            return await target.ListChildrenAsync("", CancellationToken.None).ToListAsync();
        }
    }

    private static async Task AssertRefusedAsync(SiteSources factory, SiteSourceSettings settings)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => ListRootAsync(factory, settings));
        var chain = new List<Exception>();
        for (Exception? e = error; e is not null; e = e.InnerException ?? (e as AggregateException)?.InnerExceptions.FirstOrDefault())
            chain.Add(e);
        Assert.True(chain.Any(e => e is NetworkRefusedException), error.ToString());
    }
}
