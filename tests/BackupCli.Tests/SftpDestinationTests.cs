using BackupCli.Tests.Support;
using BackupFunctions.Core.Storage.Sftp;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>sftp:// destinations: parsing, credentials from the environment only, and a disaster recovery through the test sshd.</summary>
public sealed class SftpDestinationTests : IAsyncLifetime
{
    private const string OtherHostKey = "SHA256:ErLrmPs8qdbwp6Vo59u91LU8Lic7YDMfHOiYZF81iSE";

    private readonly string _folder = TestEnvironment.UniqueName("bfcli");
    private CmsSource _source = null!;

    public async Task InitializeAsync()
    {
        _source = await CmsSource.CreateAsync();
        // As an administrator would: the store creates its base folder (site1) only inside an existing one.
        using var client = SftpServer.Connect();
        await client.CreateDirectoryAsync(_folder, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        using (var client = SftpServer.Connect())
            await SftpServer.DeleteTreeAsync(client, _folder);
        await _source.DisposeAsync();
    }

    [Theory]
    [InlineData("sftp://bob@backup.example.com/backups/site1", "bob", "backup.example.com", 22, "backups/site1", null)]
    [InlineData("sftp://bob@backup.example.com:2222/backups/", "bob", "backup.example.com", 2222, "backups", null)]
    [InlineData("sftp://bob@10.0.0.5:2222//srv/backups", "bob", "10.0.0.5", 2222, "/srv/backups", null)]
    [InlineData("sftp://bob@[::1]:2200/b%20c", "bob", "::1", 2200, "b c", null)]
    [InlineData("sftp://bob@host", "bob", "host", 22, "", null)]
    [InlineData("sftp://b%40b@host/x?hostKey=" + OtherHostKey, "b@b", "host", 22, "x", OtherHostKey)]
    public void Parses_user_host_port_path_and_host_key(string text, string user, string host, int port, string basePath, string? hostKey)
    {
        var uri = DestinationUri.Parse(text);

        Assert.Equal("sftp", uri.Scheme);
        Assert.Equal("", uri.Prefix);
        Assert.Equal(new SftpDestination(user, host, port, basePath, hostKey), uri.Sftp);
        Assert.Equal(uri, DestinationUri.Parse(uri.ToString()));
    }

    [Theory]
    [InlineData("sftp://bob:secret@host/x", "password does not belong in the URI")]
    [InlineData("sftp://host/x", "names no user")]
    [InlineData("sftp://bob@/x", "names no host")]
    [InlineData("sftp://bob@host:99999/x", "not a port number")]
    [InlineData("sftp://bob@host:ssh/x", "not a port number")]
    [InlineData("sftp://bob@host/a/../b", "'.' or '..'")]
    [InlineData("sftp://bob@host/a//b", "empty")]
    [InlineData("sftp://bob@host/x?hostkey=SHA256:x", "unknown option 'hostkey'")]
    public void Refuses_with_a_reason(string text, string reason)
    {
        var ex = Assert.Throws<UsageException>(() => DestinationUri.Parse(text));

        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "S3cret-pass", "host key fingerprint")]
    [InlineData(OtherHostKey, "", "needs credentials")]
    [InlineData("MD5:aa:bb", "S3cret-pass", "SHA256:")]
    public async Task Missing_credentials_or_host_key_are_bad_usage(string hostKey, string password, string reason)
    {
        var result = await Cli.RunAsync(
            new Dictionary<string, string>
            {
                [SftpDestination.HostKeyVariable] = hostKey,
                [SftpDestination.PasswordVariable] = password,
                [SftpDestination.KeyFileVariable] = "",
            },
            "ls", "--from", $"sftp://{SftpServer.User}@{SftpServer.Host}:{SftpServer.Port}/{_folder}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(reason, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_host_key_fails_without_logging_in()
    {
        var result = await Cli.RunAsync(
            new Dictionary<string, string> { [SftpDestination.PasswordVariable] = SftpServer.Password },
            "ls", "--from", $"sftp://{SftpServer.User}@{SftpServer.Host}:{SftpServer.Port}/{_folder}?hostKey={OtherHostKey}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(SftpServer.HostKey, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backup_ls_verify_and_restore_through_sftp_with_a_key_file()
    {
        var environment = new Dictionary<string, string>
        {
            [SftpDestination.KeyFileVariable] = SftpServer.KeyFile,
            [SftpDestination.HostKeyVariable] = SftpServer.HostKey,
            [SftpDestination.PasswordVariable] = "",
        };
        var destination = $"sftp://{SftpServer.User}@{SftpServer.Host}:{SftpServer.Port}/{_folder}/site1";
        var backup = await Cli.RunAsync(environment,
            "backup", "--to", destination, "--site", _source.SiteRoot, "--db", _source.Database.ConnectionString, "--key-file", _source.KeyFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Stdout.Trim();

        // The objects are where the format says, below the URI's folder.
        using (var client = SftpServer.Connect())
        {
            var names = client.ListDirectory($"{_folder}/site1/backups/{backupId}").Select(f => f.Name).Where(n => !n.StartsWith('.'));
            Assert.Equal(["db.part", "files-00001.part", "files-00002.part", "index.bin", "manifest.json"], names.Order(StringComparer.Ordinal));
        }

        await _source.AssertRestoresFromAsync(environment, destination, backupId, "bfclisftp");
    }
}
