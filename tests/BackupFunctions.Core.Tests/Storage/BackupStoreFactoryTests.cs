using Azure.Storage.Blobs;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Storage;

public sealed class BackupStoreFactoryTests : IDisposable
{
    private readonly TempFolder _root = new("bf-factory-");

    public void Dispose() => _root.Dispose();

    private BackupStoreFactory Factory(string? blobConnection = null, string? localRoot = null) =>
        new(Options.Create(new StorageOptions
        {
            BlobConnection = blobConnection ?? TestEnvironment.AzuriteConnectionString,
            LocalRoot = localRoot ?? _root.Path,
        }));

    [Theory]
    [InlineData("s3")]
    [InlineData("AzureBlob")]
    [InlineData("")]
    public void An_unknown_type_is_refused_naming_the_field(string type)
    {
        var ex = Assert.Throws<ArgumentException>(() => Factory().Create(new StorageDestination { Type = type }));

        Assert.Contains("storage.type", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../elsewhere")]
    [InlineData("site/../../elsewhere")]
    [InlineData(".")]
    [InlineData("site/..")]
    [InlineData("/etc")]
    [InlineData("")]
    public void A_local_path_outside_the_root_is_refused(string path)
    {
        var ex = Assert.Throws<ArgumentException>(() => Factory().Create(new StorageDestination { Type = "local", Path = path }));

        Assert.Contains("storage.path", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_root_that_merely_starts_like_the_local_root_is_outside_it()
    {
        // "/tmp/x-evil" starts with "/tmp/x" as a string, but is not inside it.
        var sibling = "../" + Path.GetFileName(_root.Path) + "-evil";

        Assert.Throws<ArgumentException>(() => Factory().Create(new StorageDestination { Type = "local", Path = sibling }));
    }

    [Fact]
    public async Task A_local_destination_is_a_folder_under_the_root()
    {
        var store = Factory().Create(new StorageDestination { Type = "local", Path = "site1/daily" });

        var local = Assert.IsType<LocalFolderStore>(store);
        Assert.Equal(_root.Combine("site1", "daily"), local.RootFolder);
        Assert.Equal("file://" + _root.Combine("site1", "daily"), store.Location);
        await store.PutAsync("x", new MemoryStream([1]), CancellationToken.None);
        Assert.True(File.Exists(_root.Combine("site1", "daily", "x")));
    }

    [Fact]
    public void A_local_destination_needs_the_local_root_setting()
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            Factory(localRoot: " ").Create(new StorageDestination { Type = "local", Path = "site1" }));

        Assert.Contains("Storage:LocalRoot", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Upper")]
    [InlineData("ab")]
    [InlineData("-ab")]
    [InlineData("ab-")]
    [InlineData("a--b")]
    [InlineData("a_b")]
    public void An_azure_destination_needs_a_valid_container_name(string? container)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Factory().Create(new StorageDestination { Type = "azureBlob", Container = container }));

        Assert.Contains("storage.container", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_azure_destination_needs_a_connection_or_a_service_uri()
    {
        var factory = new BackupStoreFactory(Options.Create(new StorageOptions()));

        var ex = Assert.Throws<InvalidOperationException>(() =>
            factory.Create(new StorageDestination { Type = "azureBlob", Container = "backups" }));

        Assert.Contains("Storage:BlobConnection", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_uri_gives_a_store_without_any_request()
    {
        // Managed identity: the credential is asked for a token only when the first request is sent.
        var factory = new BackupStoreFactory(Options.Create(new StorageOptions { BlobServiceUri = "https://acct.blob.core.windows.net" }));

        var store = factory.Create(new StorageDestination { Type = "azureBlob", Container = "backups" });

        Assert.Equal("azblob://acct/backups", store.Location);
    }

    [Fact]
    public async Task An_azure_destination_stores_in_its_container_in_azurite()
    {
        var container = TestEnvironment.UniqueName("bffactory");
        try
        {
            var store = Factory().Create(new StorageDestination { Type = "azureBlob", Container = container });

            Assert.Equal($"azblob://devstoreaccount1/{container}", store.Location);
            await store.PutAsync("site1/backups/b1/manifest.json", new MemoryStream("{}"u8.ToArray()), CancellationToken.None);
            var blob = new BlobServiceClient(TestEnvironment.AzuriteConnectionString)
                .GetBlobContainerClient(container).GetBlobClient("site1/backups/b1/manifest.json");
            Assert.Equal("{}", (await blob.DownloadContentAsync()).Value.Content.ToString());
        }
        finally
        {
            await new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(container).DeleteIfExistsAsync();
        }
    }
}
