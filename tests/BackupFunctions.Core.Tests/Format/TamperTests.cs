using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// Every way of altering a part must fail with <see cref="IntegrityException"/> naming the part, for each AEAD
/// (the derived classes below run the whole matrix once per algorithm).
/// </summary>
public abstract class TamperTests
{
    private const int Chunk = 64;
    private const int HeaderSize = 18;
    private const int Sealed = Chunk + 16;

    private static readonly byte[] DataKey = TestData.SequentialKey();
    private static readonly byte[] Key = PartKeys.Derive(DataKey, "b1", "db.part");

    // 3 full chunks and a final one of 8 bytes: 18 + 3 × 80 + 24 = 282 bytes.
    private static readonly byte[] Plain = TestData.Random(3 * Chunk + 8);

    private readonly EncryptionAlgorithm _algorithm;
    private readonly byte[] _part;

    protected TamperTests(EncryptionAlgorithm algorithm)
    {
        _algorithm = algorithm;
        _part = Encrypt(Plain, Key);
    }

    [Fact]
    public void The_header_names_the_algorithm()
    {
        Assert.Equal((byte)_algorithm, _part[5]);
    }

    [Fact]
    public void A_part_of_the_other_aead_is_detected()
    {
        var other = _algorithm == EncryptionAlgorithm.Aes256Gcm ? EncryptionAlgorithm.ChaCha20Poly1305 : EncryptionAlgorithm.Aes256Gcm;
        var e = Assert.Throws<IntegrityException>(() =>
            TestData.Decrypt(TestData.Encrypt(Plain, Key, Chunk, algorithm: other), Key, Chunk, algorithm: _algorithm));
        Assert.Contains("encryption algorithm", e.Message, StringComparison.Ordinal);
        Assert.Equal(TestData.PartObject, e.ObjectName);
    }

    [Fact]
    public void The_untouched_part_decrypts()
    {
        Assert.Equal(282, _part.Length);
        Assert.Equal(Plain, TestData.Decrypt(_part, Key, Chunk, algorithm: _algorithm));
    }

    [Fact]
    public void A_flipped_bit_anywhere_is_detected()
    {
        // Every byte: header (magic, version, algorithms, chunk size, nonce prefix), every ciphertext byte, every tag byte.
        for (var position = 0; position < _part.Length; position++)
        {
            var tampered = (byte[])_part.Clone();
            tampered[position] ^= (byte)(1 << (position % 8));
            AssertRejected(tampered, $"bit flip at byte {position}");
        }
    }

    [Fact]
    public void Truncation_anywhere_is_detected()
    {
        // Includes every chunk boundary (18, 98, 178, 258: the last one drops the final chunk) and every mid-chunk cut.
        for (var length = 0; length < _part.Length; length++)
            AssertRejected(_part[..length], $"truncated to {length} bytes");
    }

    [Fact]
    public void A_dropped_final_chunk_is_detected_also_when_it_is_empty()
    {
        var plain = TestData.Random(2 * Chunk + 1);
        var part = Encrypt(plain, Key);
        AssertRejected(part[..(HeaderSize + 2 * Sealed)], "final chunk dropped");

        // A part of exactly 2 chunks ends with a full final chunk; dropping it leaves a non-final chunk last.
        var exact = Encrypt(TestData.Random(2 * Chunk), Key);
        AssertRejected(exact[..(HeaderSize + Sealed)], "full final chunk dropped");
    }

    [Fact]
    public void Swapped_duplicated_or_dropped_chunks_are_detected()
    {
        var chunk = (int i) => _part.AsSpan(HeaderSize + i * Sealed, i < 3 ? Sealed : _part.Length - HeaderSize - 3 * Sealed).ToArray();
        var header = _part[..HeaderSize];

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
        AssertRejected([.. _part, .. TestData.Random(extra, seed: 9)], $"{extra} bytes appended");
    }

    [Fact]
    public void The_wrong_key_is_detected()
    {
        AssertRejected(_part, "wrong key", key: PartKeys.Derive(TestData.Random(32), "b1", "db.part"));
    }

    [Fact]
    public void A_part_of_another_backup_is_detected()
    {
        // Same data key, same part name, but written for backup b2.
        var other = Encrypt(Plain, PartKeys.Derive(DataKey, "b2", "db.part"));
        AssertRejected(other, "part of backup b2");
    }

    [Fact]
    public void Another_part_of_the_same_backup_is_detected()
    {
        var other = Encrypt(Plain, PartKeys.Derive(DataKey, "b1", "files-00001.part"));
        AssertRejected(other, "files-00001.part read as db.part");
    }

    [Fact]
    public void A_header_that_differs_from_the_manifest_is_detected()
    {
        var zstdPart = new MemoryStream();
        using (var encrypting = new EncryptingStream(zstdPart, Key, _algorithm, CompressionAlgorithm.Zstd, Chunk))
            encrypting.Write(Plain);
        AssertRejected(zstdPart.ToArray(), "header says zstd, reader expects none");

        var e = Assert.Throws<IntegrityException>(() => TestData.Decrypt(_part, Key, Chunk * 2, algorithm: _algorithm));
        Assert.Contains("chunk size", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_failure_repeats_on_later_reads_and_on_the_async_path()
    {
        var tampered = (byte[])_part.Clone();
        tampered[HeaderSize + Sealed + 3] ^= 1; // chunk 1

        await using var decrypting = new DecryptingStream(
            new MemoryStream(tampered), Key, TestData.PartObject, _algorithm, CompressionAlgorithm.None, Chunk);
        var buffer = new byte[Chunk];
        Assert.Equal(Chunk, await decrypting.ReadAsync(buffer)); // chunk 0 is intact
        Assert.Equal(Plain[..Chunk], buffer);

        var first = await Assert.ThrowsAsync<IntegrityException>(async () => await decrypting.ReadExactlyAsync(buffer));
        Assert.Contains("chunk 1", first.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<IntegrityException>(async () => await decrypting.ReadExactlyAsync(buffer));
    }

    private byte[] Encrypt(byte[] plain, byte[] key) => TestData.Encrypt(plain, key, Chunk, algorithm: _algorithm);

    private void AssertRejected(byte[] part, string what, byte[]? key = null)
    {
        IntegrityException? e = null;
        try
        {
            TestData.Decrypt(part, key ?? Key, Chunk, algorithm: _algorithm);
        }
        catch (IntegrityException caught)
        {
            e = caught;
        }
        Assert.True(e is not null, $"{what}: not detected");
        Assert.Equal(TestData.PartObject, e.ObjectName);
    }
}

public sealed class AesGcmTamperTests() : TamperTests(EncryptionAlgorithm.Aes256Gcm);

public sealed class ChaCha20Poly1305TamperTests() : TamperTests(EncryptionAlgorithm.ChaCha20Poly1305);
