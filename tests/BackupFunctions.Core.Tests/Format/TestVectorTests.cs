using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// Pins the stored format (docs/format.md has the same vector): if any of these fail, the format changed and
/// existing backups would no longer read. The expected bytes were computed independently of this code (Python's
/// cryptography package, from the layout in docs/format.md).
/// </summary>
public sealed class TestVectorTests
{
    private const string BackupId = "backup-1";
    private const string PartName = "db.part";
    private const int ChunkSize = 16;
    private static readonly byte[] NoncePrefix = [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6];
    private static readonly byte[] Plaintext = Encoding.ASCII.GetBytes("BackupFunctions STREAM test vector");

    private const string ExpectedPartKey = "ddf974cc09fcf1ae4472ca2feb075aa25cb0f317418113f371862eea1fdc04ee";

    private const string ExpectedPart =
        "4246503101010010000000a0a1a2a3a4a5a6" // header: "BFP1", v1, aes-256-gcm, none, 16 (LE), prefix
        + "70f7853f125679469c5f618750bdf61d" + "e3562149f6af3b2fdd9df49e607afef7" // chunk 0 + tag
        + "eb5dc2120e3c139a1fa0c004d34aec7a" + "d504466c2636e9f193fdcc47fd102e63" // chunk 1 + tag
        + "6990" + "1d317a3d74e1dd2736c71dee8b1ae92d"; // final chunk 2 (2 bytes) + tag

    /// <summary>The same part key, nonce prefix, chunk size and plaintext, sealed with ChaCha20-Poly1305.</summary>
    private const string ExpectedChaChaPart =
        "4246503101020010000000a0a1a2a3a4a5a6" // header: "BFP1", v1, chacha20-poly1305, none, 16 (LE), prefix
        + "a620827345e05e412f94a27693922829" + "9c817a0b0a8263b175d87facc7ca3c4b" // chunk 0 + tag
        + "28a1e7b3e58f41df910539c3e6131794" + "02a87c1cfe694dc18105ab62fe6cc03b" // chunk 1 + tag
        + "af1e" + "de7f7ca772357c8b7f7dab3d9f6282c8"; // final chunk 2 (2 bytes) + tag

    [Fact]
    public void Part_key_derivation_is_pinned()
    {
        Assert.Equal(ExpectedPartKey, Convert.ToHexStringLower(PartKeys.Derive(TestData.SequentialKey(), BackupId, PartName)));
    }

    [Fact]
    public void Encrypted_part_bytes_are_pinned()
    {
        var key = PartKeys.Derive(TestData.SequentialKey(), BackupId, PartName);

        var part = TestData.Encrypt(Plaintext, key, ChunkSize, NoncePrefix);

        Assert.Equal(ExpectedPart, Convert.ToHexStringLower(part));
        Assert.Equal(Plaintext, TestData.Decrypt(Convert.FromHexString(ExpectedPart), key, ChunkSize));
    }

    [Fact]
    public void ChaCha20_Poly1305_part_bytes_are_pinned()
    {
        var key = PartKeys.Derive(TestData.SequentialKey(), BackupId, PartName);
        const EncryptionAlgorithm ChaCha = EncryptionAlgorithm.ChaCha20Poly1305;

        var part = TestData.Encrypt(Plaintext, key, ChunkSize, NoncePrefix, ChaCha);

        Assert.Equal(ExpectedChaChaPart, Convert.ToHexStringLower(part));
        Assert.Equal(Plaintext, TestData.Decrypt(Convert.FromHexString(ExpectedChaChaPart), key, ChunkSize, algorithm: ChaCha));
    }

    [Fact]
    public void The_documented_layout_rebuilt_by_hand_gives_the_same_bytes()
    {
        var key = Convert.FromHexString(ExpectedPartKey);
        var header = Header(EncryptionAlgorithm.Aes256Gcm);

        using var aes = new AesGcm(key, 16);
        var part = HandBuiltPart(header, (nonce, plain, cipher, tag) => aes.Encrypt(nonce, plain, cipher, tag, header));

        Assert.Equal(ExpectedPart, Convert.ToHexStringLower([.. part]));
    }

    [Fact]
    public void The_documented_layout_rebuilt_by_hand_with_ChaCha20_Poly1305_gives_the_same_bytes()
    {
        var header = Header(EncryptionAlgorithm.ChaCha20Poly1305);
        Assert.Equal(2, header[5]);

        using var chacha = new ChaCha20Poly1305(Convert.FromHexString(ExpectedPartKey));
        var part = HandBuiltPart(header, (nonce, plain, cipher, tag) => chacha.Encrypt(nonce, plain, cipher, tag, header));

        Assert.Equal(ExpectedChaChaPart, Convert.ToHexStringLower([.. part]));
    }

    private static byte[] Header(EncryptionAlgorithm algorithm)
    {
        var header = new byte[18];
        "BFP1"u8.CopyTo(header);
        header[4] = 1; // format version
        header[5] = (byte)algorithm;
        header[6] = (byte)CompressionAlgorithm.None;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(7), ChunkSize);
        NoncePrefix.CopyTo(header, 11);
        return header;
    }

    [Fact]
    public void Manifest_mac_key_derivation_is_pinned()
    {
        // HMAC-SHA256 of the two bytes "{}" under the manifest key of backup-1 (also computed independently).
        var mac = ManifestFile.ComputeMac(TestData.SequentialKey(), BackupId, "{}"u8);
        Assert.Equal("5gTJlK+kVvJAk/pUQa6EVcFRY19aErh4FHhzprxEijE=", Convert.ToBase64String(mac));
    }

    /// <summary>The documented layout, built without the product's code: header, then each chunk sealed with nonce = prefix ‖ counter ‖ last flag.</summary>
    private static List<byte> HandBuiltPart(byte[] header, Action<byte[], byte[], byte[], byte[]> seal)
    {
        var part = new List<byte>(header);
        var chunks = Plaintext.Chunk(ChunkSize).ToArray();
        for (var i = 0; i < chunks.Length; i++)
        {
            var nonce = new byte[12];
            NoncePrefix.CopyTo(nonce, 0);
            BinaryPrimitives.WriteUInt32BigEndian(nonce.AsSpan(7), (uint)i);
            nonce[11] = i == chunks.Length - 1 ? (byte)1 : (byte)0;
            var cipher = new byte[chunks[i].Length];
            var tag = new byte[16];
            seal(nonce, chunks[i], cipher, tag);
            part.AddRange(cipher);
            part.AddRange(tag);
        }
        return part;
    }
}
