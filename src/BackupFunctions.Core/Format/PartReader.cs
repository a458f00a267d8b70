using System.Buffers;
using System.Security.Cryptography;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Format;

/// <summary>Reads a part back: store → (size + SHA-256 check) → AEAD decryption → decompression → plaintext.</summary>
public static class PartReader
{
    /// <summary>
    /// Opens the plaintext of <paramref name="part"/>. Any integrity failure — the part missing, stored size or hash
    /// different from the manifest, a plaintext size other than its <c>plainSize</c>, a flipped bit, truncation,
    /// reordered chunks, a part of another backup, the wrong key — throws <see cref="IntegrityException"/> naming the
    /// part, at the latest when the end of the stream is read.
    /// </summary>
    /// <remarks>
    /// Plaintext is returned chunk by chunk as each chunk authenticates, before the stored hash can be checked at the
    /// end: a consumer that must not act on a bad part (a restore) calls <see cref="VerifyAsync"/> first.
    /// An unknown compression or encryption word in the manifest throws <see cref="NotSupportedException"/>.
    /// With encryption <c>none</c> the stored bytes are the compressed stream itself, checked only against the
    /// manifest's size and SHA-256 (at the end), and <paramref name="dataKey"/> is not used (pass it empty).
    /// </remarks>
    public static async Task<Stream> OpenAsync(
        IBackupStore store,
        string objectName,
        string backupId,
        StoredPart part,
        BackupManifest manifest,
        ReadOnlyMemory<byte> dataKey,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(objectName);
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(manifest);
        // A part may have its own compression (format version 2); its header must say that one.
        var compression = CompressionStreams.Parse(part.CompressionIn(manifest));
        var encryption = EncryptionAlgorithms.Parse(manifest.Encryption);

        Stream stored;
        try
        {
            stored = await store.OpenReadAsync(objectName, cancellationToken);
        }
        catch (StoreObjectNotFoundException e)
        {
            // Listed in the (authenticated) manifest, so it belongs to the backup: its absence is damage, not a
            // missing backup.
            throw new IntegrityException(objectName, "listed in the manifest but missing from the destination", e);
        }
        Stream decoded = stored;
        try
        {
            decoded = new VerifyingReadStream(stored, objectName, part.StoredSize, part.Sha256);
            if (encryption != EncryptionAlgorithm.None)
            {
                var partKey = PartKeys.Derive(dataKey.Span, backupId, part.Name);
                try
                {
                    decoded = new DecryptingStream(
                        decoded, partKey, objectName, encryption, compression, manifest.ChunkSize, leaveOpen: false);
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(partKey);
                }
            }
            var input = new FaultTrackingReadStream(decoded);
            Stream plaintext;
            try
            {
                // Some decompressors (bzip2, lzip) read and check their stream header here already.
                plaintext = CompressionStreams.Decompress(input, compression, leaveOpen: true);
            }
            catch (Exception e) when (e is not OperationCanceledException && !input.Threw(e))
            {
                throw new IntegrityException(objectName, $"decompression failed: {e.Message}", e);
            }
            return new PartPlaintextStream(plaintext, input, decoded, objectName, part.PlainSize);
        }
        catch
        {
            await decoded.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Reads the whole part and discards the plaintext: proves that it decrypts and decompresses and that its stored
    /// bytes match the manifest. Used before a restore writes anything.
    /// </summary>
    public static async Task VerifyAsync(
        IBackupStore store,
        string objectName,
        string backupId,
        StoredPart part,
        BackupManifest manifest,
        ReadOnlyMemory<byte> dataKey,
        CancellationToken cancellationToken)
    {
        await using var plaintext = await OpenAsync(store, objectName, backupId, part, manifest, dataKey, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            long plainSize = 0;
            int read;
            while ((read = await plaintext.ReadAsync(buffer, cancellationToken)) > 0)
                plainSize += read;
            if (plainSize != part.PlainSize)
                throw new IntegrityException(objectName, $"{plainSize} plaintext bytes, the manifest says {part.PlainSize}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }
}
