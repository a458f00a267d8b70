using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Format;

public sealed class EncryptionTests
{
    private const int Chunk = 64;
    private const int HeaderSize = 18;
    private const int TagSize = 16;

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(Chunk - 1, 1)]
    [InlineData(Chunk, 1)]
    [InlineData(Chunk + 1, 2)]
    [InlineData(3 * Chunk, 3)]
    [InlineData(3 * Chunk + 5, 4)]
    public async Task Round_trip_with_exact_framing(int length, int chunks)
    {
        var key = PartKeys.Derive(TestData.SequentialKey(), "b1", "db.part");
        var plain = TestData.Random(length);

        var part = TestData.Encrypt(plain, key, Chunk);

        Assert.Equal(HeaderSize + length + chunks * TagSize, part.Length);
        Assert.Equal("BFP1"u8.ToArray(), part[..4]);
        Assert.Equal(plain, TestData.Decrypt(part, key, Chunk));
        Assert.Equal(plain, TestData.Decrypt(part, key, Chunk, readSize: 7));
        Assert.Equal(plain, await TestData.DecryptAsync(part, key, Chunk));
        Assert.Equal(plain, await TestData.DecryptAsync(part, key, Chunk, readSize: 1));
    }

    [Fact]
    public async Task Byte_by_byte_sync_and_async_writes_give_the_same_framing()
    {
        var key = TestData.SequentialKey();
        var prefix = new byte[7];
        var plain = TestData.Random(5 * Chunk + 3);
        var expected = TestData.Encrypt(plain, key, Chunk, prefix);

        using var sync = new MemoryStream();
        using (var encrypting = new EncryptingStream(sync, key, EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.None, Chunk, prefix, leaveOpen: true))
        {
            foreach (var b in plain)
                encrypting.WriteByte(b);
        }

        using var async = new MemoryStream();
        await using (var encrypting = new EncryptingStream(async, key, EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.None, Chunk, prefix, leaveOpen: true))
        {
            await encrypting.WriteAsync(plain.AsMemory(0, 10));
            await encrypting.WriteAsync(plain.AsMemory(10, 2 * Chunk));
            await encrypting.WriteAsync(plain.AsMemory(10 + 2 * Chunk));
            await encrypting.FlushFinalBlockAsync();
        }

        Assert.Equal(expected, sync.ToArray());
        Assert.Equal(expected, async.ToArray());
    }

    [Fact]
    public void Every_part_gets_a_fresh_nonce_prefix()
    {
        var key = TestData.SequentialKey();
        var first = TestData.Encrypt([1, 2, 3], key, Chunk);
        var second = TestData.Encrypt([1, 2, 3], key, Chunk);

        Assert.NotEqual(first[11..18], second[11..18]);
        Assert.NotEqual(first[18..], second[18..]);
    }

    [Fact]
    public void Writing_after_the_final_chunk_and_leaveOpen_behave()
    {
        var output = new MemoryStream();
        var encrypting = new EncryptingStream(output, TestData.SequentialKey(), EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.None, Chunk);
        encrypting.Write([1]);
        encrypting.FlushFinalBlock();
        Assert.Throws<InvalidOperationException>(() => encrypting.Write([2]));
        encrypting.Dispose();

        Assert.False(output.CanWrite); // leaveOpen: false disposes the output
        Assert.Throws<ObjectDisposedException>(() => encrypting.Write([3]));
    }

    [Fact]
    public void An_aborted_part_has_no_final_chunk_and_never_authenticates()
    {
        var key = TestData.SequentialKey();
        using var output = new MemoryStream();
        var encrypting = new EncryptingStream(output, key, EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.None, Chunk, leaveOpen: true);
        encrypting.Write(TestData.Random(3 * Chunk));
        encrypting.Abort();

        var part = output.ToArray();
        Assert.Equal(HeaderSize + 2 * (Chunk + TagSize), part.Length); // the third chunk was still buffered
        Assert.Throws<IntegrityException>(() => TestData.Decrypt(part, key, Chunk));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16 * 1024 * 1024 + 1)]
    public void Chunk_size_out_of_range_is_refused(int chunkSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new EncryptingStream(new MemoryStream(), TestData.SequentialKey(), EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.None, chunkSize));
    }

    [Fact]
    public void Part_keys_bind_backup_and_part_name()
    {
        var dataKey = TestData.SequentialKey();
        var key = PartKeys.Derive(dataKey, "b1", "db.part");

        Assert.Equal(32, key.Length);
        Assert.Equal(key, PartKeys.Derive(dataKey, "b1", "db.part"));
        Assert.NotEqual(key, PartKeys.Derive(dataKey, "b2", "db.part"));
        Assert.NotEqual(key, PartKeys.Derive(dataKey, "b1", "files-00001.part"));
        // The NUL separator keeps ("b1", "x\0y") and ("b1\0x", "y") apart by refusing NUL in the fields.
        Assert.Throws<ArgumentException>(() => PartKeys.Derive(dataKey, "b1\0x", "y"));
        Assert.Throws<ArgumentException>(() => PartKeys.Derive(new byte[16], "b1", "db.part"));
    }

    [Theory]
    [InlineData(EncryptionAlgorithm.Aes256Gcm, "aes-256-gcm", 1)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305, "chacha20-poly1305", 2)]
    [InlineData(EncryptionAlgorithm.None, "none", 0)]
    public void Manifest_words_and_header_bytes_are_fixed(EncryptionAlgorithm algorithm, string word, byte headerByte)
    {
        Assert.Equal(word, EncryptionAlgorithms.Name(algorithm));
        Assert.Equal(algorithm, EncryptionAlgorithms.Parse(word));
        Assert.Equal(headerByte, (byte)algorithm);
        Assert.Contains(word, EncryptionAlgorithms.Names);
        Assert.Equal(algorithm == EncryptionAlgorithm.None, EncryptionAlgorithms.IsNone(word));
    }

    [Theory]
    [InlineData("rot13")]
    [InlineData("aes256")]
    [InlineData("xchacha20-poly1305")]
    public void Unknown_words_are_not_supported_and_named(string word)
    {
        var e = Assert.Throws<NotSupportedException>(() => EncryptionAlgorithms.Parse(word));
        Assert.Contains($"'{word}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void None_is_not_a_chunk_aead()
    {
        Assert.Throws<NotSupportedException>(() =>
            new EncryptingStream(new MemoryStream(), TestData.SequentialKey(), EncryptionAlgorithm.None, CompressionAlgorithm.None, Chunk));
        Assert.Throws<NotSupportedException>(() =>
            new DecryptingStream(new MemoryStream(), TestData.SequentialKey(), "x", EncryptionAlgorithm.None, CompressionAlgorithm.None, Chunk));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(Chunk)]
    [InlineData(3 * Chunk + 5)]
    public async Task ChaCha20_Poly1305_round_trips_with_the_same_framing(int length)
    {
        const EncryptionAlgorithm ChaCha = EncryptionAlgorithm.ChaCha20Poly1305;
        var key = PartKeys.Derive(TestData.SequentialKey(), "b1", "db.part");
        var plain = TestData.Random(length);

        var part = TestData.Encrypt(plain, key, Chunk, algorithm: ChaCha);

        Assert.Equal(HeaderSize + length + Math.Max(1, (length + Chunk - 1) / Chunk) * TagSize, part.Length);
        Assert.Equal(2, part[5]);
        Assert.NotEqual(TestData.Encrypt(plain, key, Chunk, part[11..18])[HeaderSize..], part[HeaderSize..]); // not AES-GCM's bytes
        Assert.Equal(plain, TestData.Decrypt(part, key, Chunk, readSize: 7, algorithm: ChaCha));
        Assert.Equal(plain, await TestData.DecryptAsync(part, key, Chunk, readSize: 1, algorithm: ChaCha));
    }
}
