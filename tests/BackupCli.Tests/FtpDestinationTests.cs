using BackupCli.Tests.Support;
using BackupFunctions.Core.Storage.Ftp;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests;

/// <summary>The disaster recovery through ftps:// on vsftpd (certificate pinned in the URI, password from the environment).</summary>
public sealed class FtpDestinationTests(FtpFolder folder) : IClassFixture<FtpFolder>, IAsyncLifetime
{
    private readonly Dictionary<string, string> _environment = new() { [DestinationUri.FtpPasswordVariable] = FtpTestServer.Password };
    private CmsSource _source = null!;

    public async Task InitializeAsync() => _source = await CmsSource.CreateAsync();

    public async Task DisposeAsync() => await _source.DisposeAsync();

    [Fact]
    public async Task Backup_ls_verify_and_restore_through_ftps()
    {
        var destination = $"ftps://{FtpTestServer.User}@{FtpTestServer.Host}:{FtpTestServer.Port}{folder.Path}?certSha256={FtpTestServer.CertificateSha256}";
        var backup = await Cli.RunAsync(_environment,
            "backup", "--to", destination, "--site", _source.SiteRoot, "--db", _source.Database.ConnectionString, "--key-file", _source.KeyFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        var backupId = backup.Stdout.Trim();

        // The objects are where the format says, and nothing else (no temporary files) is left in the folder.
        await using (var store = new FtpStore(FtpTestServer.Settings(folder.Path, FtpTlsMode.None)))
        {
            var names = new List<string>();
            await foreach (var info in store.ListAsync("", CancellationToken.None))
                names.Add(info.Name);
            Assert.Equal(new[] { "db.part", "files-00001.part", "files-00002.part", "index.bin", "manifest.json" }.Select(p => $"backups/{backupId}/{p}"), names);
        }

        await _source.AssertRestoresFromAsync(_environment, destination, backupId, "bfcliftp");
    }

    [Fact]
    public async Task Ftp_without_the_password_in_the_environment_is_bad_usage()
    {
        var result = await Cli.RunAsync(
            new Dictionary<string, string> { [DestinationUri.FtpPasswordVariable] = "", [DestinationUri.FtpPasswordFileVariable] = "" },
            "ls", "--from", $"ftp://{FtpTestServer.User}@{FtpTestServer.Host}:{FtpTestServer.Port}{folder.Path}");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(DestinationUri.FtpPasswordVariable, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_with_one_line_and_no_secret()
    {
        var result = await Cli.RunAsync(
            new Dictionary<string, string> { [DestinationUri.FtpPasswordVariable] = "Not-the-password-7" },
            "ls", "--from", $"ftp://{FtpTestServer.User}@{FtpTestServer.Host}:{FtpTestServer.Port}{folder.Path}");

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("530", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Not-the-password-7", result.ToString(), StringComparison.Ordinal);
    }
}
