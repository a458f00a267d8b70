using System.Security.Cryptography;

namespace BackupFunctions.Core.Encryption;

/// <summary>
/// The AEAD that seals the chunks of one part: AES-256-GCM or ChaCha20-Poly1305 behind one shape (the BCL types share
/// their method signatures but no interface). Both take a 32-byte key, a 12-byte nonce and give a 16-byte tag.
/// </summary>
internal sealed class ChunkAead : IDisposable
{
    private readonly AesGcm? _aesGcm;
    private readonly ChaCha20Poly1305? _chaCha;

    private ChunkAead(AesGcm? aesGcm, ChaCha20Poly1305? chaCha)
    {
        _aesGcm = aesGcm;
        _chaCha = chaCha;
    }

    /// <param name="key">The 32-byte part key; the BCL types copy it, so the caller may zero it.</param>
    /// <exception cref="NotSupportedException">Not an AEAD (<see cref="EncryptionAlgorithm.None"/> or unknown).</exception>
    public static ChunkAead Create(ReadOnlySpan<byte> key, EncryptionAlgorithm algorithm)
    {
        if (algorithm is not (EncryptionAlgorithm.Aes256Gcm or EncryptionAlgorithm.ChaCha20Poly1305))
            throw new NotSupportedException($"Encryption algorithm {(int)algorithm} is not a chunk AEAD.");
        if (key.Length != PartKeys.KeySize)
            throw new ArgumentException($"A part key is {PartKeys.KeySize} bytes, not {key.Length}.", nameof(key));
        if (algorithm == EncryptionAlgorithm.Aes256Gcm)
            return new ChunkAead(new AesGcm(key, PartHeader.TagSize), null);
        if (!ChaCha20Poly1305.IsSupported)
            throw new PlatformNotSupportedException("ChaCha20-Poly1305 is not available on this platform (OpenSSL 1.1+ needed).");
        return new ChunkAead(null, new ChaCha20Poly1305(key));
    }

    public void Encrypt(
        ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        if (_aesGcm is not null)
            _aesGcm.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        else
            _chaCha!.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
    }

    /// <exception cref="AuthenticationTagMismatchException">The chunk does not authenticate.</exception>
    public void Decrypt(
        ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        if (_aesGcm is not null)
            _aesGcm.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        else
            _chaCha!.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
    }

    public void Dispose()
    {
        _aesGcm?.Dispose();
        _chaCha?.Dispose();
    }
}
