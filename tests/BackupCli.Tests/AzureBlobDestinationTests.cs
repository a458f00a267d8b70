using Azure.Storage.Blobs;
using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>The same disaster recovery through azblob:// on Azurite, credentials from the environment only.</summary>
public sealed class AzureBlobDestinationTests : IAsyncLifetime
{
    private readonly string _container = TestEnvironment.UniqueName("bfcli");
    private readonly Dictionary<string, string> _environment = new()
    {
        ["AZURE_STORAGE_CONNECTION_STRING"] = TestEnvironment.AzuriteConnectionString,
    };
    private CmsSource _source = null!;

    public async Task InitializeAsync() => _source = await CmsSource.CreateAsync();

    public async Task DisposeAsync()
    {
        await new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(_container).DeleteIfExistsAsync();
        await _source.DisposeAsync();
    }

    [Fact]
    public async Task Backup_ls_verify_and_restore_through_azblob()
    {
        var destination = $"azblob://{_container}/site1";
        var backup = await Cli.RunAsync(_environment,
            "backup", "--to", destination, "--site", _source.SiteRoot, "--db", _source.Database.ConnectionString, "--key-file", _source.KeyFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Stdout.Trim();
        Assert.Matches("^[0-9]{19}-cli-[0-9a-f]{8}$", backupId);

        // The objects are where the format says: <prefix>/backups/<id>/…
        var blobs = new List<string>();
        await foreach (var blob in new BlobServiceClient(TestEnvironment.AzuriteConnectionString).GetBlobContainerClient(_container).GetBlobsAsync())
            blobs.Add(blob.Name);
        Assert.Equal(
            new[] { "db.part", "files-00001.part", "files-00002.part", "index.bin", "manifest.json" }.Select(p => $"site1/backups/{backupId}/{p}"),
            blobs.Order(StringComparer.Ordinal));

        await _source.AssertRestoresFromAsync(_environment, destination, backupId, "bfcliblob");
    }

    [Fact]
    public async Task Azblob_without_credentials_in_the_environment_is_bad_usage()
    {
        var result = await Cli.RunAsync(
            new Dictionary<string, string> { ["AZURE_STORAGE_CONNECTION_STRING"] = "", ["AZURE_STORAGE_ACCOUNT"] = "" },
            "ls", "--from", $"azblob://{_container}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("AZURE_STORAGE_CONNECTION_STRING", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
