using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;

namespace BackupFunctions.Core.Format;

/// <summary>How parts of one backup are encoded.</summary>
/// <param name="CompressionLevel">1 (fastest) to 9 (smallest), mapped onto the algorithm's own range.</param>
/// <param name="ChunkSize">Plaintext bytes per AEAD chunk.</param>
public sealed record PartSettings(
    CompressionAlgorithm Compression = CompressionAlgorithm.Zstd,
    int CompressionLevel = 3,
    EncryptionAlgorithm Encryption = EncryptionAlgorithm.Aes256Gcm,
    int ChunkSize = PartSettings.DefaultChunkSize)
{
    public const int DefaultChunkSize = 1024 * 1024;
}
