using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BackupFunctions.Core.Sources;

/// <summary>
/// Which certificate authorities a <see cref="PostgresSslMode.VerifyFull"/> connection trusts: a PEM bundle file, handed
/// to Npgsql (<c>Root Certificate</c>) and to pg_dump/pg_restore (<c>PGSSLROOTCERT</c>) alike, so both sides of a
/// backup accept the same servers. Without a file of its own, the system's CA bundle (which holds the roots of Azure
/// Database for PostgreSQL and of the other clouds' managed servers).
/// </summary>
/// <remarks>
/// A file rather than "the system store": libpq before 16 has no <c>sslrootcert=system</c>, and the tools here are 15.
/// </remarks>
public static class PostgresTrustedRoots
{
    /// <summary>Where distributions keep the system bundle (Debian/Ubuntu, RHEL/Fedora, Alpine/macOS), first found wins.</summary>
    private static readonly string[] SystemBundles =
    [
        "/etc/ssl/certs/ca-certificates.crt",
        "/etc/pki/tls/certs/ca-bundle.crt",
        "/etc/ssl/cert.pem",
    ];

    /// <summary>The system's CA bundle, or null when this machine has none of the known ones.</summary>
    public static string? SystemBundle => SystemBundles.FirstOrDefault(File.Exists);

    /// <summary>The bundle <paramref name="connection"/> verifies against: its own file, else the system's.</summary>
    /// <exception cref="PostgresToolException">Neither is there.</exception>
    public static string For(PostgresConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!string.IsNullOrEmpty(connection.SslRootCertFile))
            return connection.SslRootCertFile;
        return SystemBundle ?? throw new PostgresToolException(
            $"no CA bundle to verify the TLS certificate of {connection} against: this machine has none of "
            + $"{string.Join(", ", SystemBundles)}; name a PEM file of trusted roots (Postgres__SslRootCertFile; backupctl: Root Certificate=… or PGSSLROOTCERT)");
    }

    /// <summary>
    /// Null when <paramref name="file"/> (empty: the system bundle) is a readable PEM file with at least one
    /// certificate; otherwise what is wrong, for a start-up message.
    /// </summary>
    public static string? Check(string? file)
    {
        var path = string.IsNullOrEmpty(file) ? SystemBundle : file;
        if (path is null)
            return $"this machine has no system CA bundle ({string.Join(", ", SystemBundles)}); set the file of trusted roots";
        if (!File.Exists(path))
            return $"the file '{path}' does not exist";
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(path);
            var count = certificates.Count;
            foreach (var certificate in certificates)
                certificate.Dispose();
            return count > 0 ? null : $"the file '{path}' holds no PEM certificate (-----BEGIN CERTIFICATE-----)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return $"the file '{path}' cannot be read as PEM certificates: {e.Message}";
        }
    }
}
