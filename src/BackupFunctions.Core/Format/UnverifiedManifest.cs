using System.Security.Cryptography;
using BackupFunctions.Core.Encryption;

namespace BackupFunctions.Core.Format;

/// <summary>
/// A parsed manifest whose MAC has not been checked yet. A manifest of a backup without encryption has no MAC
/// (<see cref="IsAuthenticated"/> is false): <see cref="ManifestFile.Read"/> accepts that only when it says encryption
/// <c>none</c>, and <see cref="Verify(ReadOnlySpan{byte})"/> then has nothing to check.
/// </summary>
public sealed class UnverifiedManifest
{
    public UnverifiedManifest(BackupManifest manifest, byte[] authenticatedBytes, byte[]? mac)
    {
        Manifest = manifest;
        AuthenticatedBytes = authenticatedBytes;
        Mac = mac;
    }

    /// <summary>Readable before verification, but not to be trusted: only <see cref="Manifest"/>.Key is used to get the key.</summary>
    public BackupManifest Manifest { get; }

    /// <summary>
    /// False for a backup without encryption: nothing proves who wrote its manifest. A reader that expects encrypted
    /// backups should refuse such a manifest rather than accept a downgrade.
    /// </summary>
    public bool IsAuthenticated => Mac is not null;

    internal byte[] AuthenticatedBytes { get; }

    internal byte[]? Mac { get; }

    /// <summary>
    /// Checks the MAC in constant time; throws <see cref="IntegrityException"/> for <c>manifest.json</c> on mismatch.
    /// For an unauthenticated manifest (encryption <c>none</c>) there is no MAC and no key: it is returned as it is
    /// and <paramref name="dataKey"/> is ignored.
    /// </summary>
    public BackupManifest Verify(ReadOnlySpan<byte> dataKey)
    {
        if (Mac is null)
        {
            // ManifestFile.Read only lets this through for encryption none; checked again so no other path can.
            if (!EncryptionAlgorithms.IsNone(Manifest.Encryption))
                throw new IntegrityException(ManifestFile.FileName, $"no MAC, but the manifest says encryption '{Manifest.Encryption}'");
            return Manifest;
        }

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
