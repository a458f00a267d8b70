using System.Security.Cryptography;
using BackupFunctions.Core.Tests.Storage.Ftp;
using BackupFunctions.Core.Tests.Storage.Sftp;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// The local host with secrets under BackupSecrets (what references may name) beside app settings of its own that
/// no reference may reach: a transit key and a setting named like a database password outside the section.
/// </summary>
public sealed class SecretReferenceHostFixture : LocalHostFixture
{
    /// <summary>The test sshd's password, in the app-setting form a caller writes.</summary>
    public const string SftpPasswordReference = "BackupSecrets__TEST_SFTP_PASSWORD";

    /// <summary>The test vsftpd's password, in the configuration form (also accepted).</summary>
    public const string FtpPasswordReference = "BackupSecrets:TEST_FTP_PASSWORD";

    /// <summary>A database password under BackupSecrets (the test cluster trusts loopback, so its value is not checked).</summary>
    public const string DatabasePasswordReference = "BackupSecrets__DEMO_DB_PASSWORD";

    public string TransitKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The value of the app setting DEMO_DB_PASSWORD, outside BackupSecrets: what the old rule let a config read.</summary>
    public string OutsidePassword { get; } = "outside-" + RandomNumberGenerator.GetHexString(16);

    protected override void ConfigureSettings(IDictionary<string, string?> settings)
    {
        settings["BackupSecrets:TEST_SFTP_PASSWORD"] = SftpServer.Password;
        settings["BackupSecrets:TEST_FTP_PASSWORD"] = FtpTestServer.Password;
        settings["BackupSecrets:DEMO_DB_PASSWORD"] = "demo-" + RandomNumberGenerator.GetHexString(8);
        settings["Keys:TransitKey"] = TransitKey;
        settings["DEMO_DB_PASSWORD"] = OutsidePassword;
    }
}
