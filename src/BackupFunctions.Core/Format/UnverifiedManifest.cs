using System.Security.Cryptography;

namespace BackupFunctions.Core.Format;

/// <summary>A parsed manifest whose MAC has not been checked yet.</summary>
public sealed class UnverifiedManifest
{
    public UnverifiedManifest(BackupManifest manifest, byte[] authenticatedBytes, byte[] mac)
    {
        Manifest = manifest;
        AuthenticatedBytes = authenticatedBytes;
        Mac = mac;
    }

    /// <summary>Readable before verification, but not to be trusted: only <see cref="Manifest"/>.Key is used to get the key.</summary>
    public BackupManifest Manifest { get; }

    internal byte[] AuthenticatedBytes { get; }

    internal byte[] Mac { get; }

    /// <summary>Checks the MAC in constant time; throws <see cref="IntegrityException"/> for <c>manifest.json</c> on mismatch.</summary>
    public BackupManifest Verify(ReadOnlySpan<byte> dataKey)
    {
        var expected = ManifestFile.ComputeMac(dataKey, Manifest.BackupId, AuthenticatedBytes);
        if (!CryptographicOperations.FixedTimeEquals(expected, Mac))
        {
            throw new IntegrityException(
                ManifestFile.FileName, "the MAC does not match: the manifest was altered or the data key is wrong");
        }
        return Manifest;
    }

    /// <summary>
    /// As <see cref="Verify(ReadOnlySpan{byte})"/>, and also checks that the manifest is that of
    /// <paramref name="expectedBackupId"/> (the folder it was read from), so an authentic manifest of another backup
    /// copied over this one is refused.
    /// </summary>
    public BackupManifest Verify(ReadOnlySpan<byte> dataKey, string expectedBackupId)
    {
        var manifest = Verify(dataKey);
        if (!string.Equals(manifest.BackupId, expectedBackupId, StringComparison.Ordinal))
        {
            throw new IntegrityException(
                ManifestFile.FileName, $"the manifest is that of backup '{manifest.BackupId}', not '{expectedBackupId}'");
        }
        return manifest;
    }
}
