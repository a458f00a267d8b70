using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// A certificate authority of the test's own that issued nothing the test server uses: trusting it instead of the
/// server's CA must make a verified connection fail.
/// </summary>
public static class ThrowawayCa
{
    /// <summary>Writes the CA's certificate as PEM into <paramref name="folder"/> and returns the file's path (the key is dropped).</summary>
    public static string WritePem(TempFolder folder)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Another throwaway test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = folder.Combine("other-ca.crt");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}
