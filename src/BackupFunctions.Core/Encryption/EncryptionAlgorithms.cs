namespace BackupFunctions.Core.Encryption;

/// <summary>The manifest's words for <see cref="EncryptionAlgorithm"/>.</summary>
public static class EncryptionAlgorithms
{
    /// <summary>Every manifest and config word, in the order the documentation lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["aes-256-gcm", "chacha20-poly1305", "none"];

    /// <summary>The manifest's word: one of <see cref="Names"/>.</summary>
    public static string Name(EncryptionAlgorithm algorithm) => algorithm switch
    {
        EncryptionAlgorithm.Aes256Gcm => "aes-256-gcm",
        EncryptionAlgorithm.ChaCha20Poly1305 => "chacha20-poly1305",
        EncryptionAlgorithm.None => "none",
        _ => throw new NotSupportedException($"Encryption algorithm {(int)algorithm} is not supported."),
    };

    /// <summary>Parses a manifest or config word; an unknown word throws <see cref="NotSupportedException"/> naming it.</summary>
    public static EncryptionAlgorithm Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "aes-256-gcm" => EncryptionAlgorithm.Aes256Gcm,
            "chacha20-poly1305" => EncryptionAlgorithm.ChaCha20Poly1305,
            "none" => EncryptionAlgorithm.None,
            _ => throw new NotSupportedException(
                $"Encryption algorithm '{name}' is not supported (known: {string.Join(", ", Names)})."),
        };
    }

    /// <summary>True for the word <c>none</c> (any case): the backup has no data key, no key envelope and no MAC.</summary>
    public static bool IsNone(string name) => string.Equals(name, "none", StringComparison.OrdinalIgnoreCase);
}
