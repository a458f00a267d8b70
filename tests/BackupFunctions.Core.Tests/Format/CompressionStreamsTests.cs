using BackupFunctions.Core.Compression;
using ZstdSharp;

namespace BackupFunctions.Core.Tests.Format;

public sealed class CompressionStreamsTests
{
    public static TheoryData<CompressionAlgorithm> Algorithms => [.. Enum.GetValues<CompressionAlgorithm>()];

    public static TheoryData<CompressionAlgorithm> Compressing =>
        [.. Enum.GetValues<CompressionAlgorithm>().Where(a => a != CompressionAlgorithm.None)];

    public static TheoryData<CompressionAlgorithm, int> Cases => new()
    {
        { CompressionAlgorithm.Zstd, 0 },
        { CompressionAlgorithm.Zstd, 1 },
        { CompressionAlgorithm.Zstd, 100_000 },
        { CompressionAlgorithm.Zstd, 5 * 1024 * 1024 },
        { CompressionAlgorithm.Gzip, 0 },
        { CompressionAlgorithm.Gzip, 1 },
        { CompressionAlgorithm.Gzip, 1024 * 1024 },
        { CompressionAlgorithm.Brotli, 0 },
        { CompressionAlgorithm.Brotli, 1 },
        { CompressionAlgorithm.Brotli, 1024 * 1024 },
        // bzip2 and lzma are slow in managed code: small data, but more than one bzip2 block at level 1 (100 kB).
        { CompressionAlgorithm.Bzip2, 0 },
        { CompressionAlgorithm.Bzip2, 1 },
        { CompressionAlgorithm.Bzip2, 250_000 },
        { CompressionAlgorithm.Lzma, 0 },
        { CompressionAlgorithm.Lzma, 1 },
        { CompressionAlgorithm.Lzma, 200_000 },
        { CompressionAlgorithm.None, 0 },
        { CompressionAlgorithm.None, 5 * 1024 * 1024 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Round_trip_restores_the_plaintext(CompressionAlgorithm algorithm, int length)
    {
        var plain = TestData.SemiRandomText(length);

        var compressed = await CompressAsync(plain, algorithm, level: 3);
        var restored = await DecompressAsync(compressed, algorithm);

        Assert.Equal(plain, restored);
        if (algorithm == CompressionAlgorithm.None)
            Assert.Equal(plain, compressed);
        else if (length > 1000)
            Assert.True(compressed.Length < plain.Length / 2, $"{algorithm}: {compressed.Length} of {plain.Length} bytes");
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task Levels_1_and_9_round_trip_and_text_compresses(CompressionAlgorithm algorithm)
    {
        var plain = TestData.SemiRandomText(60_000, seed: 3);

        foreach (var level in new[] { 1, 9 })
        {
            var compressed = await CompressAsync(plain, algorithm, level);
            Assert.Equal(plain, await DecompressAsync(compressed, algorithm));
            // Words from a 13-word vocabulary: about 3.5 bits of entropy per ~7 characters.
            if (algorithm != CompressionAlgorithm.None)
                Assert.True(compressed.Length < plain.Length / 3, $"{algorithm} level {level}: {compressed.Length} of {plain.Length} bytes");
        }
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd)]
    [InlineData(CompressionAlgorithm.Gzip)]
    [InlineData(CompressionAlgorithm.Brotli)]
    [InlineData(CompressionAlgorithm.Bzip2)]
    public async Task Level_9_compresses_better_than_level_1(CompressionAlgorithm algorithm)
    {
        // Each level maps onto a different setting of the algorithm (lzip in SharpCompress has none to map onto).
        var plain = TestData.SemiRandomText(algorithm == CompressionAlgorithm.Bzip2 ? 300_000 : 256 * 1024);

        var fastest = await CompressAsync(plain, algorithm, level: 1);
        var smallest = await CompressAsync(plain, algorithm, level: 9);

        Assert.True(smallest.Length < fastest.Length, $"{algorithm} level 9: {smallest.Length}, level 1: {fastest.Length}");
    }

    [Fact]
    public async Task Incompressible_data_round_trips_through_every_algorithm()
    {
        var plain = TestData.Random(150_000);
        foreach (var algorithm in Enum.GetValues<CompressionAlgorithm>())
            Assert.Equal(plain, await DecompressAsync(await CompressAsync(plain, algorithm, 3), algorithm));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(9)]
    public async Task Multithreaded_zstd_writes_the_same_plaintext_as_single_threaded_over_several_jobs(int level)
    {
        // Several jobs at every level (jobs are 1–8 MiB), mixing text and incompressible runs.
        var plain = new byte[20_000_000];
        for (var offset = 0; offset < plain.Length; offset += 2_000_000)
        {
            var block = offset % 4_000_000 == 0 ? TestData.SemiRandomText(2_000_000, seed: offset) : TestData.Random(2_000_000, seed: offset);
            block.CopyTo(plain, offset);
        }

        using var output = new MemoryStream();
        await using (var compressing = CompressionStreams.Compress(output, CompressionAlgorithm.Zstd, level, leaveOpen: true, workers: 2))
        {
            for (var offset = 0; offset < plain.Length; offset += 1_000_003)
                await compressing.WriteAsync(plain.AsMemory(offset, Math.Min(1_000_003, plain.Length - offset)));
        }
        var multithreaded = output.ToArray();

        Assert.Equal(plain, await DecompressAsync(multithreaded, CompressionAlgorithm.Zstd));
        // Still compresses as well as single-threaded zstd, to within a few percent.
        var single = await CompressAsync(plain, CompressionAlgorithm.Zstd, level);
        Assert.InRange(multithreaded.Length, 1, single.Length * 1.03);
    }

    [Fact]
    public void Multithreaded_zstd_jobs_are_one_window_and_at_least_1_MiB()
    {
        Assert.Equal(1 << 20, CompressionStreams.ZstdJobSize(CompressionStreams.ZstdLevel(1))); // window 512 KiB
        Assert.Equal(2 << 20, CompressionStreams.ZstdJobSize(CompressionStreams.ZstdLevel(3)));
        Assert.Equal(8 << 20, CompressionStreams.ZstdJobSize(CompressionStreams.ZstdLevel(9))); // the 8 MiB window of docs/format.md
    }

    [Fact]
    public void Levels_map_onto_each_algorithms_range()
    {
        Assert.Equal([1, 2, 3, 5, 7, 9, 12, 15, 19], Enumerable.Range(1, 9).Select(CompressionStreams.ZstdLevel));
        Assert.Equal([1, 2, 4, 5, 6, 7, 8, 9, 11], Enumerable.Range(1, 9).Select(CompressionStreams.BrotliQuality));
    }

    [Fact]
    public async Task Gzip_and_bzip2_write_the_standard_containers()
    {
        var gzip = await CompressAsync("hello"u8.ToArray(), CompressionAlgorithm.Gzip, 9);
        Assert.Equal([0x1f, 0x8b], gzip[..2]);

        var bzip2 = await CompressAsync("hello"u8.ToArray(), CompressionAlgorithm.Bzip2, 7);
        Assert.Equal("BZh7"u8.ToArray(), bzip2[..4]); // block size 700 kB for level 7

        var lzip = await CompressAsync("hello"u8.ToArray(), CompressionAlgorithm.Lzma, 5);
        Assert.Equal("LZIP"u8.ToArray(), lzip[..4]);
        Assert.Equal(1, lzip[4]); // lzip version 1
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(-1)]
    public void Level_outside_1_to_9_is_refused(int level)
    {
        foreach (var algorithm in Enum.GetValues<CompressionAlgorithm>())
            Assert.Throws<ArgumentOutOfRangeException>(() => CompressionStreams.Compress(new MemoryStream(), algorithm, level, leaveOpen: false));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public async Task LeaveOpen_is_honoured(CompressionAlgorithm algorithm)
    {
        var kept = new MemoryStream();
        await CompressionStreams.Compress(kept, algorithm, 3, leaveOpen: true).DisposeAsync();
        Assert.True(kept.CanWrite);
        var compressed = kept.ToArray();
        var keptInput = new MemoryStream(compressed);
        await CompressionStreams.Decompress(keptInput, algorithm, leaveOpen: true).DisposeAsync();
        Assert.True(keptInput.CanRead);

        var closed = new MemoryStream();
        await CompressionStreams.Compress(closed, algorithm, 3, leaveOpen: false).DisposeAsync();
        Assert.False(closed.CanWrite);

        var input = new MemoryStream(compressed);
        await CompressionStreams.Decompress(input, algorithm, leaveOpen: false).DisposeAsync();
        Assert.False(input.CanRead);
    }

    [Theory]
    [MemberData(nameof(Compressing))]
    public async Task Corrupt_or_truncated_data_throws(CompressionAlgorithm algorithm)
    {
        var compressed = await CompressAsync(TestData.SemiRandomText(20_000), algorithm, 3);

        // The BCL's gzip and brotli decoders end quietly at a truncation instead of throwing; that is why the stored
        // size and SHA-256 (and the AEAD) are what catch truncated parts. Either way the plaintext never comes back whole.
        var truncated = compressed[..(compressed.Length / 2)];
        if (algorithm is CompressionAlgorithm.Gzip or CompressionAlgorithm.Brotli)
            Assert.True((await DecompressAsync(truncated, algorithm)).Length < 20_000);
        else
            await Assert.ThrowsAnyAsync<Exception>(() => DecompressAsync(truncated, algorithm));

        var garbage = TestData.Random(1000);
        await Assert.ThrowsAnyAsync<Exception>(() => DecompressAsync(garbage, algorithm));
    }

    [Fact]
    public async Task Garbage_is_a_zstd_exception()
    {
        await Assert.ThrowsAsync<ZstdException>(() => DecompressAsync(TestData.Random(1000), CompressionAlgorithm.Zstd));
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd, "zstd", 1)]
    [InlineData(CompressionAlgorithm.Gzip, "gzip", 2)]
    [InlineData(CompressionAlgorithm.Brotli, "brotli", 3)]
    [InlineData(CompressionAlgorithm.Bzip2, "bzip2", 4)]
    [InlineData(CompressionAlgorithm.Lzma, "lzma", 5)]
    [InlineData(CompressionAlgorithm.None, "none", 0)]
    public void Manifest_words_and_header_bytes_are_fixed(CompressionAlgorithm algorithm, string word, byte headerByte)
    {
        Assert.Equal(word, CompressionStreams.Name(algorithm));
        Assert.Equal(algorithm, CompressionStreams.Parse(word));
        Assert.Equal(algorithm, CompressionStreams.Parse(word.ToUpperInvariant()));
        Assert.Equal(headerByte, (byte)algorithm);
        Assert.Contains(word, CompressionStreams.Names);
    }

    [Theory]
    [InlineData("lz4")]
    [InlineData("xz")]
    [InlineData("rar")]
    public void Unknown_word_is_not_supported_and_named(string word)
    {
        var e = Assert.Throws<NotSupportedException>(() => CompressionStreams.Parse(word));
        Assert.Contains($"'{word}'", e.Message, StringComparison.Ordinal);
    }

    internal static async Task<byte[]> CompressAsync(byte[] plain, CompressionAlgorithm algorithm, int level)
    {
        using var output = new MemoryStream();
        await using (var compressing = CompressionStreams.Compress(output, algorithm, level, leaveOpen: true))
        {
            // Uneven writes, so buffering inside the stream is exercised.
            for (var offset = 0; offset < plain.Length; offset += 70_001)
                await compressing.WriteAsync(plain.AsMemory(offset, Math.Min(70_001, plain.Length - offset)));
        }
        return output.ToArray();
    }

    internal static async Task<byte[]> DecompressAsync(byte[] compressed, CompressionAlgorithm algorithm)
    {
        await using var decompressing = CompressionStreams.Decompress(new MemoryStream(compressed), algorithm, leaveOpen: false);
        using var plain = new MemoryStream();
        await decompressing.CopyToAsync(plain);
        return plain.ToArray();
    }
}
