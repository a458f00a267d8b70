namespace BackupFunctions.Core.Compression;

/// <summary>
/// How a part's plaintext is compressed before encryption. The numeric values are the part header's compression byte
/// and never change; the manifest's lowercase words are in <see cref="CompressionStreams.Name"/>.
/// </summary>
public enum CompressionAlgorithm
{
    None = 0,
    Zstd = 1,
    Gzip = 2,
    Brotli = 3,
    Bzip2 = 4,

    /// <summary>LZMA in the lzip container (<c>.lz</c>): no xz writer is available to this project.</summary>
    Lzma = 5,
}
