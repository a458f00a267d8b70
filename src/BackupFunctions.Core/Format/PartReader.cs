using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Format;

/// <summary>Reads a part back: store → (size + SHA-256 check) → AEAD decryption → decompression → plaintext.</summary>
public static class PartReader
{
    /// <summary>
    /// Opens the plaintext of <paramref name="part"/>. Any integrity failure — stored size or hash different from the
    /// manifest, a flipped bit, truncation, reordered chunks, a part of another backup, the wrong key — throws
    /// <see cref="IntegrityException"/> naming the part, at the latest when the end of the stream is read.
    /// </summary>
    public static Task<Stream> OpenAsync(
        IBackupStore store,
        string objectName,
        string backupId,
        StoredPart part,
        BackupManifest manifest,
        ReadOnlyMemory<byte> dataKey,
        CancellationToken cancellationToken)
        => throw new NotImplementedException();

    /// <summary>
    /// Reads the whole part and discards the plaintext: proves that it decrypts and decompresses and that its stored
    /// bytes match the manifest. Used before a restore writes anything.
    /// </summary>
    public static Task VerifyAsync(
        IBackupStore store,
        string objectName,
        string backupId,
        StoredPart part,
        BackupManifest manifest,
        ReadOnlyMemory<byte> dataKey,
        CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
