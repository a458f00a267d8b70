using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Storage.S3;

namespace BackupCli.Tests;

/// <summary>Disaster recovery through s3:// and gs:// on Ceph RGW, credentials from the environment only.</summary>
public sealed class S3DestinationTests : IAsyncLifetime
{
    private readonly CephRgwBucket _bucket = new();
    private CmsSource _source = null!;

    public async Task InitializeAsync()
    {
        await _bucket.InitializeAsync();
        _source = await CmsSource.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await _bucket.DisposeAsync();
        await _source.DisposeAsync();
    }

    [Theory]
    [InlineData("s3")]
    [InlineData("gs")]
    public async Task Backup_ls_verify_and_restore(string scheme)
    {
        var destination = $"{scheme}://{_bucket.Name}/site1?endpoint={CephRgw.Endpoint}";
        var environment = scheme == "s3"
            ? new Dictionary<string, string>
            {
                ["BACKUPCTL_S3_ACCESS_KEY_ID"] = "", ["BACKUPCTL_S3_SECRET_ACCESS_KEY"] = "",
                // The standard AWS variables are accepted too.
                ["AWS_ACCESS_KEY_ID"] = CephRgw.AccessKey, ["AWS_SECRET_ACCESS_KEY"] = CephRgw.SecretKey,
            }
            : new Dictionary<string, string> { ["BACKUPCTL_GCS_HMAC_ACCESS_ID"] = CephRgw.AccessKey, ["BACKUPCTL_GCS_HMAC_SECRET"] = CephRgw.SecretKey };

        var backup = await Cli.RunAsync(environment,
            "backup", "--to", destination, "--site", _source.SiteRoot, "--db", _source.Database.ConnectionString, "--key-file", _source.KeyFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Stdout.Trim();

        var objects = await _bucket.Admin.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = _bucket.Name });
        Assert.Equal(
            new[] { "db.part", "files-00001.part", "files-00002.part", "index.bin", "manifest.json" }.Select(p => $"site1/backups/{backupId}/{p}"),
            (objects.S3Objects ?? []).Select(o => o.Key).Order(StringComparer.Ordinal));

        await _source.AssertRestoresFromAsync(environment, destination, backupId, "bfclis3");
    }

    [Theory]
    [InlineData("s3", "BACKUPCTL_S3_ACCESS_KEY_ID")]
    [InlineData("gs", "BACKUPCTL_GCS_HMAC_ACCESS_ID")]
    public async Task Without_credentials_in_the_environment_is_bad_usage(string scheme, string variable)
    {
        var result = await Cli.RunAsync(
            new Dictionary<string, string>
            {
                ["BACKUPCTL_S3_ACCESS_KEY_ID"] = "", ["BACKUPCTL_S3_SECRET_ACCESS_KEY"] = "", ["AWS_ACCESS_KEY_ID"] = "", ["AWS_SECRET_ACCESS_KEY"] = "",
                ["BACKUPCTL_GCS_HMAC_ACCESS_ID"] = "", ["BACKUPCTL_GCS_HMAC_SECRET"] = "",
            },
            "ls", "--from", $"{scheme}://{_bucket.Name}?endpoint={CephRgw.Endpoint}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(variable, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_secret_fails_ls_without_printing_it()
    {
        var result = await Cli.RunAsync(
            new Dictionary<string, string> { ["BACKUPCTL_S3_ACCESS_KEY_ID"] = CephRgw.AccessKey, ["BACKUPCTL_S3_SECRET_ACCESS_KEY"] = "NOT-THE-SECRET" },
            "ls", "--from", $"s3://{_bucket.Name}?endpoint={CephRgw.Endpoint}");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("SignatureDoesNotMatch", result.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("NOT-THE-SECRET", result.ToString(), StringComparison.Ordinal);
    }
}
