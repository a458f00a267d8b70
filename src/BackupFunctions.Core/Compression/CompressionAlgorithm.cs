namespace BackupFunctions.Core.Compression;

/// <summary>How a part's plaintext is compressed before encryption. Names are the manifest's lowercase words.</summary>
public enum CompressionAlgorithm
{
    None = 0,
    Zstd = 1,
}
