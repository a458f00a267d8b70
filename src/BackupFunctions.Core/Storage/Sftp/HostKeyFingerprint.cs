using System.Security.Cryptography;

namespace BackupFunctions.Core.Storage.Sftp;

/// <summary>SHA-256 fingerprints of SSH host keys in OpenSSH's notation (<c>SHA256:</c> + unpadded base64).</summary>
internal static class HostKeyFingerprint
{
    private const string Prefix = "SHA256:";

    /// <summary>The 32 digest bytes of a fingerprint such as <c>ssh-keygen -lf</c> prints.</summary>
    /// <exception cref="ArgumentException">Not a SHA-256 fingerprint in that notation.</exception>
    public static byte[] Parse(string fingerprint, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(fingerprint, parameterName);
        var text = fingerprint.Trim();
        if (!text.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"The host key fingerprint must look like ssh-keygen -lf prints it: {Prefix}<base64>.", parameterName);
        var base64 = text[Prefix.Length..].TrimEnd('=');
        // OpenSSH leaves the padding off; Convert wants it.
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var digest = new byte[SHA256.HashSizeInBytes];
        if (!Convert.TryFromBase64String(base64, digest, out var written) || written != digest.Length)
            throw new ArgumentException($"The host key fingerprint '{fingerprint}' is not {Prefix} followed by the base64 of 32 bytes.", parameterName);
        return digest;
    }

    /// <summary>The digest of a host key blob (the key as the server sends it in the key exchange).</summary>
    public static byte[] Of(byte[] hostKey) => SHA256.HashData(hostKey);

    public static string Format(ReadOnlySpan<byte> digest) => Prefix + Convert.ToBase64String(digest).TrimEnd('=');
}
