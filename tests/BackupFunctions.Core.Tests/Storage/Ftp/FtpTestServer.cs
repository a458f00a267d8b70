using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BackupFunctions.Core.Storage.Ftp;

namespace BackupFunctions.Core.Tests.Storage.Ftp;

/// <summary>
/// The vsftpd of the test run (scripts/servers/vsftpd.sh exports BF_TEST_FTP_*); the defaults match the dev server
/// started with <c>bf_start_vsftpd /tmp/bfdev/vsftpd</c>.
/// </summary>
public static class FtpTestServer
{
    public static string Host => Variable("BF_TEST_FTP_HOST", "127.0.0.1");

    public static int Port => int.Parse(Variable("BF_TEST_FTP_PORT", "2121"), System.Globalization.CultureInfo.InvariantCulture);

    public static string User => Variable("BF_TEST_FTP_USER", "ftptest");

    public static string Password => Variable("BF_TEST_FTP_PASSWORD", "Ftp-pass1");

    /// <summary>A writable folder of the test user; the tests make their folders in it.</summary>
    public static string BasePath => Variable("BF_TEST_FTP_BASE", "/backups");

    /// <summary>SHA-256 (hex) of the server's self-signed certificate.</summary>
    public static string CertificateSha256 =>
        Environment.GetEnvironmentVariable("BF_TEST_FTP_CERT_SHA256") is { Length: > 0 } pinned
            ? pinned
            : Convert.ToHexString(SHA256.HashData(X509CertificateLoader.LoadCertificateFromFile(
                Variable("BF_TEST_FTP_CERT_FILE", "/tmp/bfdev/vsftpd/server.crt")).RawData));

    /// <summary>Settings for the folder <paramref name="basePath"/>, over plain FTP or over FTPS with the certificate pinned.</summary>
    public static FtpStoreSettings Settings(string basePath, FtpTlsMode tls) => new(Host, Port, User, Password, basePath)
    {
        TlsMode = tls,
        CertificateSha256 = tls == FtpTlsMode.Explicit ? CertificateSha256 : null,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        ReadWriteTimeout = TimeSpan.FromSeconds(30),
    };

    private static string Variable(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
}
