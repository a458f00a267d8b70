using System.IO.Compression;
using ICSharpCode.SharpZipLib.BZip2;
using SharpCompress.Compressors.LZMA;
using ZstdSharp;
using ZstdSharp.Unsafe;
using LzipMode = SharpCompress.Compressors.CompressionMode;

namespace BackupFunctions.Core.Compression;

/// <summary>
/// Compressing and decompressing streams for every <see cref="CompressionAlgorithm"/>, and the manifest's words for them.
/// </summary>
/// <remarks>
/// Levels are the user's 1 (fastest) to 9 (smallest), mapped onto each algorithm's own range (table in docs/format.md):
/// <list type="bullet">
/// <item>zstd 1→1, 2→2, 3→3, 4→5, 5→7, 6→9, 7→12, 8→15, 9→19: 3 stays zstd's default, and 9 is the strongest level
/// whose window (8 MiB) keeps decompression memory small; zstd's 20–22 ("ultra") are not used.</item>
/// <item>gzip: zlib levels 1–9 as they are.</item>
/// <item>brotli quality 1→1, 2→2, 3→4, 4→5, 5→6, 6→7, 7→8, 8→9, 9→11 (default window, 4 MiB).</item>
/// <item>bzip2: block size level × 100 kB, as <c>bzip2 -1</c> … <c>-9</c>.</item>
/// <item>lzma (lzip): SharpCompress's lzip writer has one setting only; the level is recorded but changes nothing.</item>
/// <item>none: no levels.</item>
/// </list>
/// </remarks>
public static class CompressionStreams
{
    public const int MinLevel = 1;
    public const int MaxLevel = 9;

    /// <summary>Every manifest and config word, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["zstd", "gzip", "brotli", "bzip2", "lzma", "none"];

    private static readonly int[] ZstdLevels = [1, 2, 3, 5, 7, 9, 12, 15, 19];
    private static readonly int[] BrotliQualities = [1, 2, 4, 5, 6, 7, 8, 9, 11];

    /// <summary>
    /// A write-only stream that compresses into <paramref name="output"/>. Disposing it writes the end of the
    /// compressed data; <paramref name="output"/> is disposed too unless <paramref name="leaveOpen"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="level"/> is not 1–9.</exception>
    public static Stream Compress(Stream output, CompressionAlgorithm algorithm, int level, bool leaveOpen)
        => Compress(output, algorithm, level, leaveOpen, workers: 0);

    /// <summary>
    /// As above; for zstd, <paramref name="workers"/> &gt; 0 compresses on that many threads of its own (zstd's
    /// multithreaded mode: the same format and window, so decompression is unchanged; the compressed bytes differ).
    /// Each worker adds a compression context and about two jobs of one window (at least 1 MiB) of buffers.
    /// Other algorithms ignore it.
    /// </summary>
    public static Stream Compress(Stream output, CompressionAlgorithm algorithm, int level, bool leaveOpen, int workers)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfNegative(workers);
        CheckLevel(level);
        return algorithm switch
        {
            CompressionAlgorithm.Zstd => Zstd(output, level, leaveOpen, workers),
            CompressionAlgorithm.Gzip => new GZipStream(output, new ZLibCompressionOptions { CompressionLevel = level }, leaveOpen),
            CompressionAlgorithm.Brotli => new BrotliStream(output, new BrotliCompressionOptions { Quality = BrotliQuality(level) }, leaveOpen),
            CompressionAlgorithm.Bzip2 => new BZip2OutputStream(output, blockSize: level) { IsStreamOwner = !leaveOpen },
            CompressionAlgorithm.Lzma => LZipStream.Create(output, LzipMode.Compress, leaveOpen),
            CompressionAlgorithm.None => new PassThroughStream(output, leaveOpen),
            _ => throw Unsupported(algorithm),
        };
    }

    private static CompressionStream Zstd(Stream output, int level, bool leaveOpen, int workers)
    {
        var zstdLevel = ZstdLevel(level);
        var stream = new CompressionStream(output, zstdLevel, leaveOpen: leaveOpen);
        if (workers > 0)
        {
            stream.SetParameter(ZSTD_cParameter.ZSTD_c_nbWorkers, workers);
            // zstd's default job is 4 windows (8 MiB at level 3), and up to workers + 2 jobs are buffered in and out.
            // One window per job (at least 1 MiB) keeps that to a few MiB per worker at a ratio cost too small to see.
            stream.SetParameter(ZSTD_cParameter.ZSTD_c_jobSize, ZstdJobSize(zstdLevel));
        }
        return stream;
    }

    /// <summary>The multithreaded job size used at zstd level <paramref name="zstdLevel"/>: its window, at least 1 MiB.</summary>
    internal static int ZstdJobSize(int zstdLevel)
        => Math.Max(1 << 20, 1 << (int)Methods.ZSTD_getCParams(zstdLevel, 0, 0).windowLog);

    /// <summary>
    /// A read-only stream of the plaintext compressed in <paramref name="input"/>. Truncated or corrupt compressed data
    /// throws, with an exception type of the library concerned (zstd: <see cref="ZstdException"/>; gzip, brotli:
    /// <see cref="InvalidDataException"/>; …); <see cref="Format.PartReader"/> turns those into integrity failures.
    /// </summary>
    public static Stream Decompress(Stream input, CompressionAlgorithm algorithm, bool leaveOpen)
    {
        ArgumentNullException.ThrowIfNull(input);
        return algorithm switch
        {
            CompressionAlgorithm.Zstd => new DecompressionStream(input, checkEndOfStream: true, leaveOpen: leaveOpen),
            CompressionAlgorithm.Gzip => new GZipStream(input, CompressionMode.Decompress, leaveOpen),
            CompressionAlgorithm.Brotli => new BrotliStream(input, CompressionMode.Decompress, leaveOpen),
            CompressionAlgorithm.Bzip2 => new BZip2InputStream(input) { IsStreamOwner = !leaveOpen },
            CompressionAlgorithm.Lzma => new WholeBlockReadStream(LZipStream.Create(input, LzipMode.Decompress, leaveOpen)),
            CompressionAlgorithm.None => new PassThroughStream(input, leaveOpen),
            _ => throw Unsupported(algorithm),
        };
    }

    /// <summary>The zstd level used for user level <paramref name="level"/> (1–9).</summary>
    public static int ZstdLevel(int level)
    {
        CheckLevel(level);
        return ZstdLevels[level - 1];
    }

    /// <summary>The brotli quality used for user level <paramref name="level"/> (1–9).</summary>
    public static int BrotliQuality(int level)
    {
        CheckLevel(level);
        return BrotliQualities[level - 1];
    }

    /// <summary>The manifest's word: one of <see cref="Names"/>.</summary>
    public static string Name(CompressionAlgorithm algorithm) => algorithm switch
    {
        CompressionAlgorithm.Zstd => "zstd",
        CompressionAlgorithm.Gzip => "gzip",
        CompressionAlgorithm.Brotli => "brotli",
        CompressionAlgorithm.Bzip2 => "bzip2",
        CompressionAlgorithm.Lzma => "lzma",
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
            "gzip" => CompressionAlgorithm.Gzip,
            "brotli" => CompressionAlgorithm.Brotli,
            "bzip2" => CompressionAlgorithm.Bzip2,
            "lzma" => CompressionAlgorithm.Lzma,
            "none" => CompressionAlgorithm.None,
            _ => throw new NotSupportedException(
                $"Compression algorithm '{name}' is not supported (known: {string.Join(", ", Names)})."),
        };
    }

    private static void CheckLevel(int level)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, MinLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxLevel);
    }

    private static NotSupportedException Unsupported(CompressionAlgorithm algorithm)
        => new($"Compression algorithm {(int)algorithm} is not supported.");
}
