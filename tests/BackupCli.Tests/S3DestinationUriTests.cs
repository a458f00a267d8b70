namespace BackupCli.Tests;

/// <summary>How s3:// and gs:// destinations are read from the command line.</summary>
public sealed class S3DestinationUriTests
{
    [Theory]
    [InlineData("s3://backups", "backups", "", "", "us-east-1", false, "")]
    [InlineData("s3://my.backups/site1/prod/?region=eu-central-1&storageClass=standard_ia", "my.backups", "site1/prod", "", "eu-central-1", false, "STANDARD_IA")]
    [InlineData("s3://backups/site1?endpoint=http://127.0.0.1:7480", "backups", "site1", "http://127.0.0.1:7480", "us-east-1", true, "")]
    [InlineData("s3://backups?endpoint=https%3A%2F%2Fs3.example.net&pathStyle=false&storageClass=DEEP_ARCHIVE", "backups", "", "https://s3.example.net", "us-east-1", false, "DEEP_ARCHIVE")]
    [InlineData("s3://backups/a%20b", "backups", "a b", "", "us-east-1", false, "")]
    public void Parses_s3(string text, string bucket, string prefix, string endpoint, string region, bool pathStyle, string storageClass)
    {
        var uri = DestinationUri.Parse(text);

        Assert.Equal(new DestinationUri("s3", bucket, prefix) { S3 = new S3UriOptions(endpoint, region, pathStyle, storageClass) }, uri);
    }

    [Theory]
    [InlineData("gs://my_backups/site1", "my_backups", "site1", "", "")]
    [InlineData("gs://backups?storageClass=coldline&endpoint=http://127.0.0.1:7480", "backups", "", "http://127.0.0.1:7480", "COLDLINE")]
    public void Parses_gs(string text, string bucket, string prefix, string endpoint, string storageClass)
    {
        var uri = DestinationUri.Parse(text);

        Assert.Equal(new DestinationUri("gs", bucket, prefix) { S3 = new S3UriOptions(endpoint, "auto", false, storageClass) }, uri);
    }

    [Fact]
    public void Prints_back_without_credentials()
    {
        Assert.Equal("s3://backups/site1?endpoint=http%3A%2F%2F127.0.0.1%3A7480&region=us-east-1&pathStyle=true",
            DestinationUri.Parse("s3://backups/site1?endpoint=http://127.0.0.1:7480").ToString());
        Assert.Equal("gs://backups?storageClass=NEARLINE", DestinationUri.Parse("gs://backups?storageClass=nearline").ToString());
    }

    [Theory]
    [InlineData("s3://KEY:SECRET@backups/x", "credentials do not belong")]
    [InlineData("gs://id:secret@backups", "BACKUPCTL_GCS_HMAC_ACCESS_ID")]
    [InlineData("s3://Backups", "not a valid bucket name")]
    [InlineData("s3://ab", "not a valid bucket name")]
    [InlineData("s3://under_score", "not a valid bucket name")]
    [InlineData("s3://backups:9000/x", "not a valid bucket name")]
    [InlineData("s3://backups/a/../b", "prefix")]
    [InlineData("s3://backups?secret=x", "unknown option 'secret'")]
    [InlineData("gs://backups?region=eu", "unknown option 'region'")]
    [InlineData("s3://backups?storageClass=NEARLINE", "storageClass 'NEARLINE'")]
    [InlineData("gs://backups?storageClass=GLACIER", "storageClass 'GLACIER'")]
    [InlineData("s3://backups?endpoint=ftp://x", "not an http(s) URL")]
    [InlineData("s3://backups?pathStyle=yes", "true or false")]
    public void Refuses_with_a_reason(string text, string reason)
    {
        var ex = Assert.Throws<UsageException>(() => DestinationUri.Parse(text));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
