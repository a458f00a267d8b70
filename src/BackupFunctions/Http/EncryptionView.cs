namespace BackupFunctions.Http;

/// <summary>
/// A config's encryption as the API shows it: the algorithm by its format name (<c>aes-256-gcm</c>,
/// <c>chacha20-poly1305</c>, <c>none</c>), <c>enabled</c> false exactly for <c>none</c>, and <c>keyDerivation</c>
/// (<c>pbkdf2</c>, <c>scrypt</c>, or null: the app's setting).
/// </summary>
public sealed record EncryptionView(bool Enabled, string Algorithm, string? KeyDerivation);
