using System.Diagnostics;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// The contract on the test sshd (files.source type sftp, password from a BackupSecrets__ app setting, the host key
/// pinned). The site is copied (cp -a: links, modes and times kept) into a folder of the SFTP user's login folder on
/// this machine, and read back only over SFTP.
/// </summary>
public sealed class SftpSiteSourceContractTests : SiteSourceContractTests
{
    private readonly string _remote = Path.Combine(LoginFolder, TestEnvironment.UniqueName("bfsite"));

    /// <summary>The SFTP user's login folder (scripts/servers/sshd.sh: DATA_DIR/home, beside the client key).</summary>
    public static string LoginFolder => Path.Combine(Path.GetDirectoryName(SftpServer.KeyFile)!, "home");

    /// <summary>files.source for <paramref name="root"/> on the test sshd, password from BackupSecrets__SitePassword.</summary>
    internal static SiteSourceSettings Settings(string root) => new()
    {
        Type = SiteSourceTypes.Sftp,
        Host = SftpServer.Host,
        Port = SftpServer.Port,
        User = SftpServer.User,
        HostKeyFingerprint = SftpServer.HostKey,
        PasswordSetting = "BackupSecrets__SitePassword",
        Root = root,
    };

    /// <summary>Copies <paramref name="localFolder"/>'s content to <paramref name="remote"/> with its links, modes and times.</summary>
    internal static void CopyTree(string localFolder, string remote)
    {
        Directory.CreateDirectory(remote);
        using var copy = Process.Start(new ProcessStartInfo("cp", ["-a", localFolder + "/.", remote]) { RedirectStandardError = true })!;
        copy.WaitForExit();
        Assert.True(copy.ExitCode == 0, copy.StandardError.ReadToEnd());
    }

    protected override Task<ISiteSource> CreateSiteAsync(string localFolder, IReadOnlyList<string> components)
    {
        CopyTree(localFolder, _remote);
        return Task.FromResult(Factory(Local, ("BackupSecrets:SitePassword", SftpServer.Password))
            .Open(new FilesSource { Source = Settings(_remote), Components = components }));
    }

    protected override Task RemoveAsync(string path)
    {
        File.Delete(Path.Combine(_remote, path));
        return Task.CompletedTask;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && Directory.Exists(_remote))
            Directory.Delete(_remote, recursive: true);
        base.Dispose(disposing);
    }

    [Fact]
    public async Task A_folder_replaced_by_a_link_after_the_listing_is_not_read_through_it()
    {
        Write("uploads/a/inner.txt", "inner"u8.ToArray());
        Write("outside/secret.txt", "secret"u8.ToArray());
        var source = await CreateSiteAsync(Local, ["uploads"]);
        using var _ = source as IDisposable;
        Assert.Contains(source.Walk(_ => { }), e => e.Path == "uploads/a/inner.txt");

        // The folder becomes a link to a folder holding a file of the same name.
        Directory.Delete(Path.Combine(_remote, "uploads", "a"), recursive: true);
        Directory.CreateDirectory(Path.Combine(_remote, "elsewhere"));
        File.WriteAllText(Path.Combine(_remote, "elsewhere", "inner.txt"), "not the site's");
        File.CreateSymbolicLink(Path.Combine(_remote, "uploads", "a"), Path.Combine(_remote, "elsewhere"));

        Assert.Null(source.OpenFile("uploads/a/inner.txt"));
        var walk = source.Walk(_ => { }).ToList();
        Assert.Equal([("uploads", FileIndexEntry.DirectoryType), ("uploads/a", FileIndexEntry.SymbolicLinkType)], walk.Select(e => (e.Path, e.Type)));
    }

    [Fact]
    public void A_host_presenting_another_key_is_refused_before_any_password_is_sent()
    {
        var settings = Settings("/") with { HostKeyFingerprint = "SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=') };
        var source = Factory(Local, ("BackupSecrets:SitePassword", SftpServer.Password)).Open(new FilesSource { Source = settings, Components = ["uploads"] });
        using var _ = source as IDisposable;

        Assert.Throws<BackupFunctions.Core.Storage.Sftp.HostKeyMismatchException>(() => source.Walk(_ => { }).ToList());
    }
}
