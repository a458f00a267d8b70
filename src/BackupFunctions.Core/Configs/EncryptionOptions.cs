namespace BackupFunctions.Core.Configs;

/// <summary>Encryption of every part; always on.</summary>
public sealed record EncryptionOptions
{
    /// <summary><c>aes-256-gcm</c>.</summary>
    public string Algorithm { get; init; } = "aes-256-gcm";
}
