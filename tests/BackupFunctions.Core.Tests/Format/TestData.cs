using System.Text;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>Deterministic data and small helpers for the format tests.</summary>
internal static class TestData
{
    public const string PartObject = "site1/backups/b1/db.part";

    /// <summary>The 32-byte key 00 01 … 1f.</summary>
    public static byte[] SequentialKey() => [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

    /// <summary>Incompressible bytes from a seeded generator.</summary>
    public static byte[] Random(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Compressible but not trivial: random words from a small vocabulary.</summary>
    public static byte[] SemiRandomText(int length, int seed = 1)
    {
        string[] words = ["backup", "restore", "postgres", "zstd", "chunk", "nonce", "manifest", "wp-content", "theme", "plugin", "upload", "42", "\n"];
        var random = new Random(seed);
        var text = new StringBuilder(length + 16);
        while (text.Length < length)
            text.Append(words[random.Next(words.Length)]).Append(random.Next(3) == 0 ? ' ' : '/');
        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    public static byte[] Encrypt(
        byte[] plain, byte[] key, int chunkSize, byte[]? noncePrefix = null, EncryptionAlgorithm algorithm = EncryptionAlgorithm.Aes256Gcm)
    {
        using var output = new MemoryStream();
        using (var encrypting = noncePrefix is null
            ? new EncryptingStream(output, key, algorithm, CompressionAlgorithm.None, chunkSize, leaveOpen: true)
            : new EncryptingStream(output, key, algorithm, CompressionAlgorithm.None, chunkSize, noncePrefix, leaveOpen: true))
        {
            encrypting.Write(plain);
        }
        return output.ToArray();
    }

    public static byte[] Decrypt(
        byte[] part, byte[] key, int chunkSize, string objectName = PartObject, int readSize = 4096,
        EncryptionAlgorithm algorithm = EncryptionAlgorithm.Aes256Gcm)
    {
        using var decrypting = new DecryptingStream(
            new MemoryStream(part), key, objectName, algorithm, CompressionAlgorithm.None, chunkSize);
        using var plain = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = decrypting.Read(buffer)) > 0)
            plain.Write(buffer, 0, read);
        return plain.ToArray();
    }

    public static async Task<byte[]> DecryptAsync(
        byte[] part, byte[] key, int chunkSize, int readSize = 4096, EncryptionAlgorithm algorithm = EncryptionAlgorithm.Aes256Gcm)
    {
        await using var decrypting = new DecryptingStream(
            new MemoryStream(part), key, PartObject, algorithm, CompressionAlgorithm.None, chunkSize);
        using var plain = new MemoryStream();
        var buffer = new byte[readSize];
        int read;
        while ((read = await decrypting.ReadAsync(buffer)) > 0)
            plain.Write(buffer, 0, read);
        return plain.ToArray();
    }
}
