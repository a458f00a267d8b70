namespace BackupFunctions.Core.Encryption;

/// <summary>The chunked AEAD that protects each part.</summary>
public enum EncryptionAlgorithm
{
    Aes256Gcm = 1,
}
