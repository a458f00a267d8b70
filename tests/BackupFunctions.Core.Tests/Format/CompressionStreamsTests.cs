using BackupFunctions.Core.Compression;
using ZstdSharp;

namespace BackupFunctions.Core.Tests.Format;

public sealed class CompressionStreamsTests
{
    public static TheoryData<CompressionAlgorithm, int> Cases => new()
    {
        { CompressionAlgorithm.Zstd, 0 },
        { CompressionAlgorithm.Zstd, 1 },
        { CompressionAlgorithm.Zstd, 100_000 },
        { CompressionAlgorithm.Zstd, 5 * 1024 * 1024 },
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
        if (algorithm == CompressionAlgorithm.Zstd && length > 1000)
            Assert.True(compressed.Length < plain.Length / 2, $"{compressed.Length} of {plain.Length} bytes");
        if (algorithm == CompressionAlgorithm.None)
            Assert.Equal(plain, compressed);
    }

    [Fact]
    public async Task Higher_levels_compress_at_least_as_well()
    {
        var plain = TestData.SemiRandomText(256 * 1024);

        var fastest = await CompressAsync(plain, CompressionAlgorithm.Zstd, level: 1);
        var smallest = await CompressAsync(plain, CompressionAlgorithm.Zstd, level: 9);

        Assert.True(smallest.Length < fastest.Length, $"level 9: {smallest.Length}, level 1: {fastest.Length}");
        Assert.Equal(plain, await DecompressAsync(smallest, CompressionAlgorithm.Zstd));
    }

    [Fact]
    public void Levels_map_onto_zstds_range()
    {
        Assert.Equal([1, 2, 3, 5, 7, 9, 12, 15, 19], Enumerable.Range(1, 9).Select(CompressionStreams.ZstdLevel));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(-1)]
    public void Level_outside_1_to_9_is_refused(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CompressionStreams.Compress(new MemoryStream(), CompressionAlgorithm.Zstd, level, leaveOpen: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => CompressionStreams.Compress(new MemoryStream(), CompressionAlgorithm.None, level, leaveOpen: false));
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd)]
    [InlineData(CompressionAlgorithm.None)]
    public void LeaveOpen_is_honoured(CompressionAlgorithm algorithm)
    {
        var kept = new MemoryStream();
        CompressionStreams.Compress(kept, algorithm, 3, leaveOpen: true).Dispose();
        Assert.True(kept.CanWrite);
        CompressionStreams.Decompress(new MemoryStream(kept.ToArray()), algorithm, leaveOpen: true).Dispose();

        var closed = new MemoryStream();
        CompressionStreams.Compress(closed, algorithm, 3, leaveOpen: false).Dispose();
        Assert.False(closed.CanWrite);

        var input = new MemoryStream(new byte[1]);
        CompressionStreams.Decompress(input, algorithm, leaveOpen: false).Dispose();
        Assert.False(input.CanRead);
    }

    [Fact]
    public async Task Corrupt_or_truncated_zstd_data_throws()
    {
        var compressed = await CompressAsync(TestData.SemiRandomText(100_000), CompressionAlgorithm.Zstd, 3);

        var truncated = compressed[..(compressed.Length / 2)];
        await Assert.ThrowsAnyAsync<Exception>(() => DecompressAsync(truncated, CompressionAlgorithm.Zstd));

        var garbage = TestData.Random(1000);
        await Assert.ThrowsAsync<ZstdException>(() => DecompressAsync(garbage, CompressionAlgorithm.Zstd));
    }

    [Theory]
    [InlineData(CompressionAlgorithm.Zstd, "zstd")]
    [InlineData(CompressionAlgorithm.None, "none")]
    public void Manifest_words_round_trip(CompressionAlgorithm algorithm, string word)
    {
        Assert.Equal(word, CompressionStreams.Name(algorithm));
        Assert.Equal(algorithm, CompressionStreams.Parse(word));
    }

    [Fact]
    public void Unknown_word_is_not_supported_and_named()
    {
        var e = Assert.Throws<NotSupportedException>(() => CompressionStreams.Parse("lz4"));
        Assert.Contains("lz4", e.Message, StringComparison.Ordinal);
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

    private static async Task<byte[]> DecompressAsync(byte[] compressed, CompressionAlgorithm algorithm)
    {
        await using var decompressing = CompressionStreams.Decompress(new MemoryStream(compressed), algorithm, leaveOpen: false);
        using var plain = new MemoryStream();
        await decompressing.CopyToAsync(plain);
        return plain.ToArray();
    }
}
