using Azure.Storage.Blobs;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// A site whose uploads live in a blob container (Azurite) and whose themes live on the CMS host (sshd): one walk in
/// the order of the contract, each component read from its own source, archive paths as for a local site.
/// </summary>
public sealed class CompositeSiteSourceTests : IAsyncLifetime, IDisposable
{
    private readonly TempFolder _local = new("bf-composite-");
    private readonly string _remote = Path.Combine(SftpSiteSourceContractTests.LoginFolder, TestEnvironment.UniqueName("bfsite"));
    private readonly BlobContainerClient _container =
        new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(TestEnvironment.UniqueName("bfsite"));

    public Task InitializeAsync() => _container.CreateIfNotExistsAsync();

    public Task DisposeAsync() => _container.DeleteIfExistsAsync();

    public void Dispose()
    {
        _local.Dispose();
        if (Directory.Exists(_remote))
            Directory.Delete(_remote, recursive: true);
    }

    [Fact]
    public async Task Uploads_in_blob_and_themes_over_sftp_walk_and_read_as_one_local_site_would()
    {
        foreach (var (path, text) in new[] { ("uploads/2024/a.jpg", "jpeg"), ("uploads/b.txt", "b"), ("themes/t/style.css", "css"), ("themes/t/index.php", "php") })
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_local.Combine(path))!);
            await File.WriteAllTextAsync(_local.Combine(path), text);
        }
        foreach (var file in Directory.EnumerateFiles(_local.Combine("uploads"), "*", SearchOption.AllDirectories))
            await _container.GetBlobClient("wp/" + Path.GetRelativePath(_local.Path, file)).UploadAsync(file);
        SftpSiteSourceContractTests.CopyTree(_local.Path, _remote);
        var factory = new SiteSources(new SiteRoots(Options.Create(new FilesOptions()), Options.Create(new StorageOptions { LocalRoot = "" }),
                Options.Create(new KeyOptions { LocalKeyFile = "" })), NetworkPolicy.InternalAllowed,
            TestSecretReferences.With(("BackupSecrets:SiteBlob", TestEnvironment.AzuriteConnectionString), ("BackupSecrets:SitePassword", SftpServer.Password)));
        var files = new FilesSource
        {
            Source = new SiteSourceSettings { Type = SiteSourceTypes.AzureBlob, ConnectionSetting = "BackupSecrets__SiteBlob", Container = _container.Name, Prefix = "wp" },
            Components = ["uploads", "themes"],
            ComponentSources = new Dictionary<string, SiteSourceSettings> { ["themes"] = SftpSiteSourceContractTests.Settings(_remote) },
        };

        var source = factory.Open(files);
        using var _ = source as IDisposable;
        var walk = source.Walk(_ => { }).ToList();

        Assert.IsType<CompositeSiteSource>(source);
        var expected = SiteSources.Local(_local.Path, ["uploads", "themes"]).Walk(_ => { }).Select(e => (e.Path, e.Type, e.Size));
        Assert.Equal(expected, walk.Select(e => (e.Path, e.Type, e.Size)));
        foreach (var entry in walk.Where(e => e.Type == FileIndexEntry.FileType))
        {
            using var file = source.OpenFile(entry.Path);
            using var reader = new StreamReader(file!.OpenRead());
            Assert.Equal(await File.ReadAllTextAsync(_local.Combine(entry.Path)), await reader.ReadToEndAsync());
        }
    }
}
