using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>Every way of altering a part must fail with <see cref="IntegrityException"/> naming the part.</summary>
public sealed class TamperTests
{
    private const int Chunk = 64;
    private const int HeaderSize = 18;
    private const int Sealed = Chunk + 16;

    private static readonly byte[] DataKey = TestData.SequentialKey();
    private static readonly byte[] Key = PartKeys.Derive(DataKey, "b1", "db.part");

    // 3 full chunks and a final one of 8 bytes: 18 + 3 × 80 + 24 = 282 bytes.
    private static readonly byte[] Plain = TestData.Random(3 * Chunk + 8);
    private static readonly byte[] Part = TestData.Encrypt(Plain, Key, Chunk);

    [Fact]
    public void The_untouched_part_decrypts()
    {
        Assert.Equal(282, Part.Length);
        Assert.Equal(Plain, TestData.Decrypt(Part, Key, Chunk));
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_detected()
    {
        // Every byte: header (magic, version, algorithms, chunk size, nonce prefix), every ciphertext byte, every tag byte.
        for (var position = 0; position < Part.Length; position++)
        {
            var tampered = (byte[])Part.Clone();
            tampered[position] ^= (byte)(1 << (position % 8));
            AssertRejected(tampered, $"bit flip at byte {position}");
        }
    }

    [Fact]
    public void Truncation_anywhere_is_detected()
    {
        // Includes every chunk boundary (18, 98, 178, 258: the last one drops the final chunk) and every mid-chunk cut.
        for (var length = 0; length < Part.Length; length++)
            AssertRejected(Part[..length], $"truncated to {length} bytes");
    }

    [Fact]
    public void A_dropped_final_chunk_is_detected_also_when_it_is_empty()
    {
        var plain = TestData.Random(2 * Chunk + 1);
        var part = TestData.Encrypt(plain, Key, Chunk);
        AssertRejected(part[..(HeaderSize + 2 * Sealed)], "final chunk dropped");

        // A part of exactly 2 chunks ends with a full final chunk; dropping it leaves a non-final chunk last.
        var exact = TestData.Encrypt(TestData.Random(2 * Chunk), Key, Chunk);
        AssertRejected(exact[..(HeaderSize + Sealed)], "full final chunk dropped");
    }

    [Fact]
    public void Swapped_duplicated_or_dropped_chunks_are_detected()
    {
        var chunk = (int i) => Part.AsSpan(HeaderSize + i * Sealed, i < 3 ? Sealed : Part.Length - HeaderSize - 3 * Sealed).ToArray();
        var header = Part[..HeaderSize];

        AssertRejected([.. header, .. chunk(1), .. chunk(0), .. chunk(2), .. chunk(3)], "chunks 0 and 1 swapped");
        AssertRejected([.. header, .. chunk(0), .. chunk(1), .. chunk(1), .. chunk(2), .. chunk(3)], "chunk 1 duplicated");
        AssertRejected([.. header, .. chunk(0), .. chunk(2), .. chunk(3)], "chunk 1 dropped");
        AssertRejected([.. header, .. chunk(0), .. chunk(1), .. chunk(2), .. chunk(3), .. chunk(3)], "final chunk duplicated");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(Sealed)]
    public void Appended_bytes_are_detected(int extra)
    {
        AssertRejected([.. Part, .. TestData.Random(extra, seed: 9)], $"{extra} bytes appended");
    }

    [Fact]
    public void The_wrong_key_is_detected()
    {
        AssertRejected(Part, "wrong key", key: PartKeys.Derive(TestData.Random(32), "b1", "db.part"));
    }

    [Fact]
    public void A_part_of_another_backup_is_detected()
    {
        // Same data key, same part name, but written for backup b2.
        var other = TestData.Encrypt(Plain, PartKeys.Derive(DataKey, "b2", "db.part"), Chunk);
        AssertRejected(other, "part of backup b2");
    }

    [Fact]
    public void Another_part_of_the_same_backup_is_detected()
    {
        var other = TestData.Encrypt(Plain, PartKeys.Derive(DataKey, "b1", "files-00001.part"), Chunk);
        AssertRejected(other, "files-00001.part read as db.part");
    }

    [Fact]
    public void A_header_that_differs_from_the_manifest_is_detected()
    {
        var zstdPart = new MemoryStream();
        using (var encrypting = new EncryptingStream(zstdPart, Key, EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.Zstd, Chunk))
            encrypting.Write(Plain);
        AssertRejected(zstdPart.ToArray(), "header says zstd, reader expects none");

        var e = Assert.Throws<IntegrityException>(() => TestData.Decrypt(Part, Key, Chunk * 2));
        Assert.Contains("chunk size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_failure_repeats_on_later_reads_and_on_the_async_path()
    {
        var tampered = (byte[])Part.Clone();
        tampered[HeaderSize + Sealed + 3] ^= 1; // chunk 1

        await using var decrypting = new DecryptingStream(
            new MemoryStream(tampered), Key, TestData.PartObject, EncryptionAlgorithm.Aes256Gcm, CompressionAlgorithm.None, Chunk);
        var buffer = new byte[Chunk];
        Assert.Equal(Chunk, await decrypting.ReadAsync(buffer)); // chunk 0 is intact
        Assert.Equal(Plain[..Chunk], buffer);

        var first = await Assert.ThrowsAsync<IntegrityException>(async () => await decrypting.ReadExactlyAsync(buffer));
        Assert.Contains("chunk 1", first.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IntegrityException>(async () => await decrypting.ReadExactlyAsync(buffer));
    }

    private static void AssertRejected(byte[] part, string what, byte[]? key = null)
    {
        IntegrityException? e = null;
        try
        {
            TestData.Decrypt(part, key ?? Key, Chunk);
        }
        catch (IntegrityException caught)
        {
            e = caught;
        }
        Assert.True(e is not null, $"{what}: not detected");
        Assert.Equal(TestData.PartObject, e.ObjectName);
    }
}
