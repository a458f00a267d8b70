namespace BackupFunctions.Core.Storage;

/// <summary>What a destination setting holds.</summary>
public enum StorageFieldKind
{
    Text,
    Port,
    Boolean,
    Choice,
    HttpUrl,
    OctalMode,
    Sha256Fingerprint,
}
