namespace BackupFunctions.Core.Configs;

/// <summary>Encryption of every part.</summary>
public sealed record EncryptionOptions
{
    /// <summary>
    /// <c>aes-256-gcm</c> (default), <c>chacha20-poly1305</c>, or <c>none</c>: no encryption, no key, and parts checked
    /// only by the manifest's SHA-256 (anyone with access to the destination can read and alter such a backup).
    /// </summary>
    public string Algorithm { get; init; } = "aes-256-gcm";
}
