namespace BackupFunctions.Core.Configs;

/// <summary>Compression of every part.</summary>
public sealed record CompressionOptions
{
    /// <summary><c>zstd</c> (default), <c>gzip</c>, <c>brotli</c>, <c>bzip2</c>, <c>lzma</c> (lzip container) or <c>none</c>.</summary>
    public string Algorithm { get; init; } = "zstd";

    /// <summary>1 (fastest) to 9 (smallest).</summary>
    public int Level { get; init; } = 3;
}
