namespace BackupFunctions.Core.Configs;

/// <summary>Encryption of every part.</summary>
public sealed record EncryptionOptions
{
    /// <summary>
    /// <c>aes-256-gcm</c> (default), <c>chacha20-poly1305</c>, or <c>none</c>: no encryption, no key, and parts checked
    /// only by the manifest's SHA-256 (anyone with access to the destination can read and alter such a backup).
    /// </summary>
    public string Algorithm { get; init; } = "aes-256-gcm";

    /// <summary>
    /// <c>pbkdf2</c> or <c>scrypt</c>: the KDF that turns the passphrase into the key-encryption key for this config's
    /// backups when the app wraps data keys with a passphrase (<c>Keys:PassphraseSetting</c>); null: the app's
    /// <c>Keys:PassphraseKdf</c>. With a Key Vault key or a key file nothing is derived from a passphrase, so the value is
    /// kept but has no effect.
    /// </summary>
    public string? KeyDerivation { get; init; }
}
