namespace BackupCli.Tests;

public sealed class DestinationUriTests
{
    [Theory]
    [InlineData("file:///var/backups/site1", "file", "/var/backups/site1", "")]
    [InlineData("file:///var/backups/site1/", "file", "/var/backups/site1", "")]
    [InlineData("file:///var/back%20ups", "file", "/var/back ups", "")]
    [InlineData("azblob://backups", "azblob", "backups", "")]
    [InlineData("azblob://backups/site1/prod", "azblob", "backups", "site1/prod")]
    [InlineData("azblob://backups/site1/", "azblob", "backups", "site1")]
    public void Parses_file_and_azblob(string text, string scheme, string location, string prefix)
    {
        var uri = DestinationUri.Parse(text);

        Assert.Equal(new DestinationUri(scheme, location, prefix), uri);
    }

    [Theory]
    [InlineData("sftp://host/x", "destinations issue")]
    [InlineData("http://host/x", "unknown destination scheme")]
    [InlineData("file:///", "absolute folder path")]
    [InlineData("azblob://a", "container name")]
    [InlineData("azblob://backups/a/../b", "prefix")]
    [InlineData("backups", "not a destination URI")]
    public void Refuses_with_a_reason(string text, string reason)
    {
        var ex = Assert.Throws<UsageException>(() => DestinationUri.Parse(text));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
