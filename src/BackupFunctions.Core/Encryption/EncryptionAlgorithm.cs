namespace BackupFunctions.Core.Encryption;

/// <summary>
/// How each part is protected. The numeric values of the AEADs are the part header's algorithm byte and never change;
/// <see cref="None"/> has no header at all (the part is the compressed stream as it is).
/// </summary>
public enum EncryptionAlgorithm
{
    /// <summary>No encryption and no authentication: parts are checked only against the manifest's size and SHA-256.</summary>
    None = 0,
    Aes256Gcm = 1,
    ChaCha20Poly1305 = 2,
}
