using ZstdSharp;

namespace BackupFunctions.Core.Compression;

/// <summary>
/// Compressing and decompressing streams for every <see cref="CompressionAlgorithm"/>, and the manifest's words for them.
/// </summary>
/// <remarks>
/// Levels are the user's 1 (fastest) to 9 (smallest), mapped onto zstd's own range as
/// 1→1, 2→2, 3→3, 4→5, 5→7, 6→9, 7→12, 8→15, 9→19: level 3 stays zstd's default, and 9 is the strongest level
/// whose window (8 MiB) keeps decompression memory small; zstd's 20–22 ("ultra") are not used.
/// </remarks>
public static class CompressionStreams
{
    public const int MinLevel = 1;
    public const int MaxLevel = 9;

    private static readonly int[] ZstdLevels = [1, 2, 3, 5, 7, 9, 12, 15, 19];

    /// <summary>
    /// A write-only stream that compresses into <paramref name="output"/>. Disposing it writes the end of the
    /// compressed data; <paramref name="output"/> is disposed too unless <paramref name="leaveOpen"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not 1–9.</exception>
    public static Stream Compress(Stream output, CompressionAlgorithm algorithm, int level, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        return algorithm switch
        {
            CompressionAlgorithm.Zstd => new CompressionStream(output, ZstdLevel(level), leaveOpen: leaveOpen),
            CompressionAlgorithm.None => new PassThroughStream(output, leaveOpen),
            _ => throw Unsupported(algorithm),
        };
    }

    /// <summary>
    /// A read-only stream of the plaintext compressed in <paramref name="input"/>. Truncated or corrupt compressed data
    /// throws (zstd: <see cref="ZstdException"/> or <see cref="EndOfStreamException"/>).
    /// </summary>
    public static Stream Decompress(Stream input, CompressionAlgorithm algorithm, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(input);
        return algorithm switch
        {
            CompressionAlgorithm.Zstd => new DecompressionStream(input, checkEndOfStream: true, leaveOpen: leaveOpen),
            CompressionAlgorithm.None => new PassThroughStream(input, leaveOpen),
            _ => throw Unsupported(algorithm),
        };
    }

    /// <summary>The zstd level used for user level <paramref name="level"/> (1–9).</summary>
    public static int ZstdLevel(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
        return ZstdLevels[level - 1];
    }

    /// <summary>The manifest's word: <c>zstd</c> or <c>none</c>.</summary>
    public static string Name(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Zstd => "zstd",
        CompressionAlgorithm.None => "none",
        _ => throw Unsupported(algorithm),
    };

    /// <summary>Parses a manifest or config word; an unknown word throws <see cref="NotSupportedException"/> naming it.</summary>
    public static CompressionAlgorithm Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "zstd" => CompressionAlgorithm.Zstd,
            "none" => CompressionAlgorithm.None,
            _ => throw new NotSupportedException($"Compression algorithm '{name}' is not supported (known: zstd, none)."),
        };
    }

    private static NotSupportedException Unsupported(CompressionAlgorithm algorithm)
        => new($"Compression algorithm {(int)algorithm} is not supported.");
}
