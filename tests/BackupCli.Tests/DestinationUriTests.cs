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
    [InlineData("ftp://user:secret@host/x", "must not carry a password")]
    [InlineData("ftp://host/x", "names no user")]
    [InlineData("ftp://user@host/x?certSha256=" + "ab", "certSha256 is for ftps")]
    [InlineData("ftps://user@host/x?certSha256=abc", "64 hex digits")]
    [InlineData("ftps://user@host/x?passive=no", "unknown option 'passive'")]
    [InlineData("ftp://user@host/a/../b", "'.' or '..'")]
    [InlineData("sftp://host/x", "names no user")]
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

    [Theory]
    [InlineData("ftp://backup@ftp.example.org/backups/site1", "ftp", "ftp.example.org", 21, "/backups/site1", null, "ftp://backup@ftp.example.org:21/backups/site1")]
    [InlineData("ftp://backup@127.0.0.1:2121/", "ftp", "127.0.0.1", 2121, "/", null, "ftp://backup@127.0.0.1:2121")]
    [InlineData("ftp://b%40corp@host:2121/my%20backups/", "ftp", "host", 2121, "/my backups/", null, "ftp://b@corp@host:2121/my backups")]
    [InlineData("ftps://backup@host:990/x?certSha256=AB:CD:" + "00112233445566778899aabbccddeeff00112233445566778899aabbccdd", "ftps", "host", 990, "/x",
        "AB:CD:00112233445566778899aabbccddeeff00112233445566778899aabbccdd", "ftps://backup@host:990/x")]
    public void Parses_ftp_and_ftps(string text, string scheme, string host, int port, string path, string? certificate, string location)
    {
        var uri = DestinationUri.Parse(text);

        Assert.Equal((scheme, location, ""), (uri.Scheme, uri.Location, uri.Prefix));
        Assert.NotNull(uri.Ftp);
        Assert.Equal((host, port, path, certificate, ""), (uri.Ftp.Host, uri.Ftp.Port, uri.Ftp.BasePath, uri.Ftp.CertificateSha256, uri.Ftp.Password));
        Assert.Equal(scheme == "ftps" ? BackupFunctions.Core.Storage.Ftp.FtpTlsMode.Explicit : BackupFunctions.Core.Storage.Ftp.FtpTlsMode.None, uri.Ftp.TlsMode);
        Assert.Equal(location, uri.ToString());
    }
}
