using BackupFunctions.Core.Tests.Storage.Sftp;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The local host with the secrets of remote site sources under BackupSecrets: Azurite's connection string (a CMS's
/// blob container) and the test sshd's password (the CMS host).
/// </summary>
public sealed class SiteSourcesHostFixture : LocalHostFixture
{
    public const string BlobReference = "BackupSecrets__SITE_BLOB";

    public const string SftpPasswordReference = "BackupSecrets__SITE_SSH";

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["BackupSecrets:SITE_BLOB"] = TestEnvironment.AzuriteConnectionString;
        settings["BackupSecrets:SITE_SSH"] = SftpServer.Password;
    }
}
