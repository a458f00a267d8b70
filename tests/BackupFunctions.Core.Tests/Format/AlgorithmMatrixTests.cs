using System.Security.Cryptography;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// Every compression × encryption combination through <see cref="PartWriter"/> → store → <see cref="PartReader"/>,
/// and what encryption <c>none</c> still protects (the manifest's size and SHA-256) and what it does not.
/// </summary>
public sealed class AlgorithmMatrixTests
{
    private const string BackupId = "b1";
    private const string DbObject = "site1/backups/b1/db.part";
    private const int ChunkSize = 4096;

    private readonly byte[] _dataKey = DataKeys.Generate();
    private readonly MemoryBackupStore _store = new();

    public static TheoryData<CompressionAlgorithm, EncryptionAlgorithm, int> Matrix()
    {
        var data = new TheoryData<CompressionAlgorithm, EncryptionAlgorithm, int>();
        foreach (var compression in Enum.GetValues<CompressionAlgorithm>())
        {
            foreach (var encryption in Enum.GetValues<EncryptionAlgorithm>())
            {
                data.Add(compression, encryption, 0);
                data.Add(compression, encryption, 60_000);
            }
        }
        return data;
    }

    public static TheoryData<CompressionAlgorithm> Compressions => [.. Enum.GetValues<CompressionAlgorithm>()];

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Every_combination_round_trips_byte_exact(CompressionAlgorithm compression, EncryptionAlgorithm encryption, int length)
    {
        // Text then random bytes: compressible, yet more than a few chunks of 4 KiB whatever the algorithm.
        byte[] plain = length == 0 ? [] : [.. TestData.SemiRandomText(length / 2), .. TestData.Random(length / 2)];
        var settings = new PartSettings(compression, CompressionLevel: 5, encryption, ChunkSize);
        var dataKey = encryption == EncryptionAlgorithm.None ? [] : _dataKey;

        var part = await PartWriter.WriteAsync(
            _store, DbObject, BackupId, "db.part", "database", settings, dataKey,
            (s, ct) => s.WriteAsync(plain, ct).AsTask(), CancellationToken.None);

        var stored = _store.GetBytes(DbObject);
        Assert.Equal(stored.Length, part.StoredSize);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stored)), part.Sha256);
        Assert.Equal(length, part.PlainSize);
        if (encryption == EncryptionAlgorithm.None)
        {
            // No header: the stored bytes are the compressed stream itself.
            Assert.Equal(plain, await CompressionStreamsTests.DecompressAsync(stored, compression));
        }
        else
        {
            Assert.Equal("BFP1"u8.ToArray(), stored[..4]);
            Assert.Equal((byte)encryption, stored[5]);
            Assert.Equal((byte)compression, stored[6]);
            if (length > 0)
                Assert.True(stored.Length > 18 + 4 * (ChunkSize + 16), $"{stored.Length} bytes: fewer than 5 chunks");
        }

        var manifest = PartWriterReaderTests.Manifest(settings, part);
        await PartReader.VerifyAsync(_store, DbObject, BackupId, part, manifest, dataKey, CancellationToken.None);
        await using var read = await PartReader.OpenAsync(_store, DbObject, BackupId, part, manifest, dataKey, CancellationToken.None);
        using var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(plain, copy.ToArray());
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public async Task Without_encryption_a_flipped_byte_is_caught_naming_the_part(CompressionAlgorithm compression)
    {
        var (part, manifest) = await WriteUnencryptedAsync(compression, TestData.SemiRandomText(30_000));
        var bytes = _store.GetBytes(DbObject);
        bytes[bytes.Length / 2] ^= 0x10;
        _store.SetBytes(DbObject, bytes);

        var e = await Assert.ThrowsAsync<IntegrityException>(
            () => PartReader.VerifyAsync(_store, DbObject, BackupId, part, manifest, ReadOnlyMemory<byte>.Empty, CancellationToken.None));
        Assert.Equal(DbObject, e.ObjectName);
        if (compression == CompressionAlgorithm.None)
            Assert.Contains("SHA-256", e.Message, StringComparison.Ordinal); // nothing but the manifest's hash can see it
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public async Task Without_encryption_truncation_and_appended_bytes_are_caught(CompressionAlgorithm compression)
    {
        var plain = TestData.SemiRandomText(30_000);
        var (part, manifest) = await WriteUnencryptedAsync(compression, plain);
        var bytes = _store.GetBytes(DbObject);

        foreach (var altered in new[] { bytes[..^1], bytes[..(bytes.Length / 2)], [.. bytes, 0] })
        {
            _store.SetBytes(DbObject, altered);
            var e = await Assert.ThrowsAsync<IntegrityException>(
                () => PartReader.VerifyAsync(_store, DbObject, BackupId, part, manifest, ReadOnlyMemory<byte>.Empty, CancellationToken.None));
            Assert.Equal(DbObject, e.ObjectName);
        }
    }

    [Fact]
    public async Task Without_encryption_a_consistent_forgery_is_not_detected()
    {
        // What "none" means: whoever can write to the destination can replace a part AND its manifest entry.
        var (part, manifest) = await WriteUnencryptedAsync(CompressionAlgorithm.None, TestData.SemiRandomText(1000));
        byte[] forged = [.. "forged"u8];
        _store.SetBytes(DbObject, forged);
        var forgedPart = part with { StoredSize = forged.Length, Sha256 = Convert.ToHexStringLower(SHA256.HashData(forged)), PlainSize = forged.Length };

        await PartReader.VerifyAsync(_store, DbObject, BackupId, forgedPart, manifest, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
    }

    [Fact]
    public async Task A_producer_that_fails_leaves_no_object_without_encryption_too()
    {
        var settings = new PartSettings(CompressionAlgorithm.Gzip, 3, EncryptionAlgorithm.None, ChunkSize);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => PartWriter.WriteAsync(
            _store, DbObject, BackupId, "db.part", "database", settings, ReadOnlyMemory<byte>.Empty,
            async (s, ct) =>
            {
                await s.WriteAsync(TestData.Random(2_000_000), ct);
                throw new InvalidOperationException("tar died");
            },
            CancellationToken.None));

        Assert.Equal("tar died", e.Message);
        Assert.Empty(_store.Names);
    }

    [Theory]
    [InlineData(EncryptionAlgorithm.Aes256Gcm)]
    [InlineData(EncryptionAlgorithm.ChaCha20Poly1305)]
    public async Task A_part_read_as_the_other_aead_or_as_unencrypted_fails(EncryptionAlgorithm encryption)
    {
        var settings = new PartSettings(CompressionAlgorithm.Zstd, 3, encryption, ChunkSize);
        var part = await PartWriter.WriteAsync(
            _store, DbObject, BackupId, "db.part", "database", settings, _dataKey,
            (s, ct) => s.WriteAsync(TestData.SemiRandomText(20_000), ct).AsTask(), CancellationToken.None);

        var other = encryption == EncryptionAlgorithm.Aes256Gcm ? "chacha20-poly1305" : "aes-256-gcm";
        foreach (var manifest in new[]
        {
            PartWriterReaderTests.Manifest(settings, part) with { Encryption = other },
            PartWriterReaderTests.Manifest(settings, part) with { Encryption = "none", Key = null },
        })
        {
            var e = await Assert.ThrowsAsync<IntegrityException>(
                () => PartReader.VerifyAsync(_store, DbObject, BackupId, part, manifest, _dataKey, CancellationToken.None));
            Assert.Equal(DbObject, e.ObjectName);
        }
    }

    private async Task<(StoredPart Part, BackupManifest Manifest)> WriteUnencryptedAsync(CompressionAlgorithm compression, byte[] plain)
    {
        var settings = new PartSettings(compression, 3, EncryptionAlgorithm.None, ChunkSize);
        var part = await PartWriter.WriteAsync(
            _store, DbObject, BackupId, "db.part", "database", settings, ReadOnlyMemory<byte>.Empty,
            (s, ct) => s.WriteAsync(plain, ct).AsTask(), CancellationToken.None);
        return (part, PartWriterReaderTests.Manifest(settings, part));
    }
}
