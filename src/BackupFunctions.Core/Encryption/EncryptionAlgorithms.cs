namespace BackupFunctions.Core.Encryption;

/// <summary>The manifest's words for <see cref="EncryptionAlgorithm"/>.</summary>
public static class EncryptionAlgorithms
{
    /// <summary>The manifest's word: <c>aes-256-gcm</c>.</summary>
    public static string Name(EncryptionAlgorithm algorithm) => algorithm switch
    {
        EncryptionAlgorithm.Aes256Gcm => "aes-256-gcm",
        _ => throw new NotSupportedException($"Encryption algorithm {(int)algorithm} is not supported."),
    };

    /// <summary>Parses a manifest or config word; an unknown word throws <see cref="NotSupportedException"/> naming it.</summary>
    public static EncryptionAlgorithm Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "aes-256-gcm" => EncryptionAlgorithm.Aes256Gcm,
            _ => throw new NotSupportedException($"Encryption algorithm '{name}' is not supported (known: aes-256-gcm)."),
        };
    }
}
