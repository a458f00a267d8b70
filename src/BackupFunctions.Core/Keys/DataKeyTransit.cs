using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Keys;

/// <summary>
/// Carries a backup's data key from the step that makes it to the steps that use it, through orchestration history,
/// without the plain key ever being there: sealed with AES-256-GCM under the app's transit key (a secret app setting),
/// bound to the backup id. This is what lets the backup side run with a wrap-only Key Vault identity: the steps never
/// need to unwrap the stored envelope. Completed orchestrations are purged, so old sealed keys do not linger.
/// </summary>
public sealed class DataKeyTransit
{
    private const int KeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public DataKeyTransit(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
            throw new ArgumentException($"The transit key must be {KeySize} bytes.", nameof(key));
        _key = key.ToArray();
    }

    /// <summary>Reads the transit key from its setting value: 32 random bytes, base64.</summary>
    public static DataKeyTransit FromBase64(string value)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(value.Trim());
        }
        catch (FormatException)
        {
            throw new ArgumentException("The transit key setting (Keys:TransitKey) is not base64.", nameof(value));
        }
        try
        {
            return new DataKeyTransit(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>base64(nonce ‖ ciphertext ‖ tag) of the data key, bound to <paramref name="backupId"/>.</summary>
    public string Seal(ReadOnlySpan<byte> dataKey, string backupId)
    {
        var sealedKey = new byte[NonceSize + dataKey.Length + TagSize];
        var nonce = sealedKey.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, dataKey, sealedKey.AsSpan(NonceSize, dataKey.Length), sealedKey.AsSpan(NonceSize + dataKey.Length), AssociatedData(backupId));
        return Convert.ToBase64String(sealedKey);
    }

    /// <summary>The data key; <see cref="IntegrityException"/> when the value was altered, belongs to another backup or another transit key.</summary>
    public byte[] Open(string sealedKey, string backupId)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(sealedKey);
        }
        catch (FormatException e)
        {
            throw new IntegrityException("the sealed data key is not base64", e);
        }
        if (bytes.Length < NonceSize + TagSize + 1)
            throw new IntegrityException("the sealed data key is too short");

        var length = bytes.Length - NonceSize - TagSize;
        var dataKey = new byte[length];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, length), bytes.AsSpan(NonceSize + length), dataKey, AssociatedData(backupId));
            return dataKey;
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            throw new IntegrityException("the sealed data key does not open with this transit key for this backup", e);
        }
    }

    private static byte[] AssociatedData(string backupId) => Encoding.UTF8.GetBytes("backupfunctions/transit/v1\0" + backupId);
}
