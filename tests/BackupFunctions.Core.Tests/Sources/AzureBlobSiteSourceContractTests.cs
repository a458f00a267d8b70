using Azure.Storage.Blobs;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// The contract on a blob container in Azurite (files.source type azureBlob, a prefix, the connection string from a
/// BackupSecrets__ app setting), plus what only Blob Storage can hold: names no folder can, a blob named like a folder.
/// </summary>
public sealed class AzureBlobSiteSourceContractTests : SiteSourceContractTests, IAsyncLifetime
{
    private const string Prefix = "sites/cms-1";

    private readonly BlobContainerClient _container =
        new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(TestEnvironment.UniqueName("bfsite"));

    protected override bool HoldsLinks => false;

    protected override bool HoldsEmptyFolders => false;

    protected override bool KeepsModes => false;

    public Task InitializeAsync() => _container.CreateIfNotExistsAsync();

    public Task DisposeAsync() => _container.DeleteIfExistsAsync();

    protected override async Task<ISiteSource> CreateSiteAsync(string localFolder, IReadOnlyList<string> components)
    {
        foreach (var file in Directory.EnumerateFiles(localFolder, "*", SearchOption.AllDirectories))
        {
            var path = Path.GetRelativePath(localFolder, file).Replace('\\', '/');
            await _container.GetBlobClient($"{Prefix}/{path}").UploadAsync(file, overwrite: true);
        }
        return Open(components);
    }

    private ISiteSource Open(IReadOnlyList<string> components) =>
        Factory(Local, ("BackupSecrets:SiteBlob", TestEnvironment.AzuriteConnectionString)).Open(new FilesSource
        {
            Source = new SiteSourceSettings { Type = SiteSourceTypes.AzureBlob, ConnectionSetting = "BackupSecrets__SiteBlob", Container = _container.Name, Prefix = Prefix },
            Components = components,
        });

    protected override Task RemoveAsync(string path) => _container.GetBlobClient($"{Prefix}/{path}").DeleteAsync();

    [Fact]
    public async Task Names_no_folder_can_hold_are_skipped_and_reported_never_read()
    {
        await _container.GetBlobClient($"{Prefix}/uploads/ok.txt").UploadAsync(BinaryData.FromString("ok"));
        await _container.GetBlobClient($"{Prefix}/uploads//double-slash").UploadAsync(BinaryData.FromString("x"));
        await _container.GetBlobClient($"{Prefix}/uploads/clash").UploadAsync(BinaryData.FromString("a file"));
        await _container.GetBlobClient($"{Prefix}/uploads/clash/inner.txt").UploadAsync(BinaryData.FromString("in a folder"));
        await _container.GetBlobClient($"{Prefix}/uploads-not-a-component/secret").UploadAsync(BinaryData.FromString("no"));
        var source = Open(["uploads"]);
        var skipped = new List<FileChange>();

        var walk = source.Walk(skipped.Add).Select(e => (e.Path, e.Type)).ToList();

        Assert.Equal(
            [("uploads", FileIndexEntry.DirectoryType), ("uploads/clash", FileIndexEntry.DirectoryType), ("uploads/clash/inner.txt", FileIndexEntry.FileType), ("uploads/ok.txt", FileIndexEntry.FileType)],
            walk);
        Assert.Equal(["uploads/", "uploads/clash"], skipped.Select(s => s.Path).Order(StringComparer.Ordinal));
        Assert.Null(source.OpenFile("uploads-not-a-component/secret"));
        Assert.Null(source.OpenFile("uploads/../uploads-not-a-component/secret"));
    }

    [Fact]
    public async Task A_blob_overwritten_after_the_listing_is_read_as_it_is_then_and_told_by_its_identity()
    {
        await _container.GetBlobClient($"{Prefix}/uploads/a.txt").UploadAsync(BinaryData.FromString("before"));
        var source = Open(["uploads"]);
        var listed = source.Walk(_ => { }).Single(e => e.Path == "uploads/a.txt");

        await _container.GetBlobClient($"{Prefix}/uploads/a.txt").UploadAsync(BinaryData.FromString("after!!"), overwrite: true);
        using var file = source.OpenFile("uploads/a.txt");

        Assert.NotNull(file);
        Assert.NotNull(listed.Identity);
        Assert.NotEqual(listed.Identity, file.Identity);
        Assert.Equal(7, file.Length);
        using var reader = new StreamReader(file.OpenRead());
        Assert.Equal("after!!", await reader.ReadToEndAsync());
    }
}
