using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Format;

/// <summary>
/// Gets the data key of a backup being read. An unencrypted backup has no key and no MAC, so anyone who can write to
/// the destination could swap an encrypted backup's manifest for an unencrypted one; a reader that expects encryption
/// therefore refuses an unencrypted manifest unless the caller explicitly allows it.
/// </summary>
public static class ManifestKeys
{
    /// <returns>The plain data key (the caller zeroes it), or an empty array for an allowed unencrypted backup.</returns>
    public static async Task<byte[]> OpenAsync(
        UnverifiedManifest unverified, IKeyEncryptionKey? keyEncryptionKey, bool allowUnencrypted, CancellationToken cancellationToken)
    {
        if (unverified.Manifest.Key is not { } envelope)
        {
            return allowUnencrypted
                ? []
                : throw new IntegrityException(ManifestFile.FileName,
                    "the backup claims to be unencrypted (no key, no MAC) but a key was expected: refusing a possibly replaced manifest; " +
                    "read it without a key to accept an unencrypted backup");
        }
        if (keyEncryptionKey is null)
            throw new ArgumentException($"Backup {unverified.Manifest.BackupId} is encrypted ({envelope.KekType} key {envelope.KeyId}): the key is needed.");
        return await keyEncryptionKey.UnwrapAsync(envelope, cancellationToken);
    }
}
