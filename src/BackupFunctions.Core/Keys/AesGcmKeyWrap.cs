using System.Security.Cryptography;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Keys;

/// <summary>
/// The one symmetric key wrap of the project (key file, passphrase, transit): AES-256-GCM with a random 12-byte nonce,
/// stored as base64(nonce ‖ ciphertext ‖ tag), bound to its use by associated data.
/// </summary>
internal static class AesGcmKeyWrap
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static string Wrap(ReadOnlySpan<byte> keyEncryptionKey, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> associatedData)
    {
        var wrapped = new byte[NonceSize + dataKey.Length + TagSize];
        var nonce = wrapped.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aead = new AesGcm(keyEncryptionKey, TagSize);
        aead.Encrypt(nonce, dataKey, wrapped.AsSpan(NonceSize, dataKey.Length), wrapped.AsSpan(NonceSize + dataKey.Length), associatedData);
        return Convert.ToBase64String(wrapped);
    }

    /// <summary>
    /// The data key of <paramref name="dataKeyLength"/> bytes. A malformed value throws <see cref="IntegrityException"/>
    /// ("malformed"); one that does not authenticate throws the exception <paramref name="mismatch"/> makes.
    /// </summary>
    public static byte[] Unwrap(
        ReadOnlySpan<byte> keyEncryptionKey, string wrappedKey, int dataKeyLength, ReadOnlySpan<byte> associatedData,
        Func<Exception, IntegrityException> mismatch)
    {
        const string Malformed = "The wrapped data key is malformed.";
        byte[] wrapped;
        try
        {
            wrapped = Convert.FromBase64String(wrappedKey);
        }
        catch (FormatException e)
        {
            throw new IntegrityException(Malformed, e);
        }
        if (wrapped.Length != NonceSize + dataKeyLength + TagSize)
            throw new IntegrityException(Malformed);

        var dataKey = new byte[dataKeyLength];
        try
        {
            using var aead = new AesGcm(keyEncryptionKey, TagSize);
            aead.Decrypt(wrapped.AsSpan(0, NonceSize), wrapped.AsSpan(NonceSize, dataKeyLength), wrapped.AsSpan(NonceSize + dataKeyLength), dataKey, associatedData);
            return dataKey;
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            throw mismatch(e);
        }
    }
}
