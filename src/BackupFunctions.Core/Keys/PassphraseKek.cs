namespace BackupFunctions.Core.Keys;

/// <summary>
/// A key-encryption key derived from a passphrase (PBKDF2-SHA256 ≥ 600,000 iterations, or scrypt N ≥ 2^15) with a
/// random salt; the KDF parameters travel in the envelope (<see cref="KeyEnvelope.Kdf"/>).
/// </summary>
public sealed class PassphraseKek : IKeyEncryptionKey
{
    /// <param name="kdf"><c>pbkdf2-sha256</c> (default) or <c>scrypt</c>: used for new wraps; unwrap follows the envelope.</param>
    public PassphraseKek(string passphrase, string kdf = "pbkdf2-sha256") => throw new NotImplementedException();

    public string KekType => "passphrase";

    public Task<KeyEnvelope> WrapAsync(ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken) => throw new NotImplementedException();

    public Task<byte[]> UnwrapAsync(KeyEnvelope envelope, CancellationToken cancellationToken) => throw new NotImplementedException();
}
