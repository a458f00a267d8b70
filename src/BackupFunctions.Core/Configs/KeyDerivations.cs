using BackupFunctions.Core.Keys;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// The config's words for the passphrase KDF (<see cref="EncryptionOptions.KeyDerivation"/>, the seed's
/// <c>keyDerivation</c>) and the <see cref="PassphraseKek"/> names they select.
/// </summary>
public static class KeyDerivations
{
    public const string Pbkdf2 = "pbkdf2";
    public const string Scrypt = "scrypt";

    public static IReadOnlyList<string> Names { get; } = [Pbkdf2, Scrypt];

    /// <summary>The canonical word for <paramref name="word"/> (any case; the KEK's own names too), or null when unknown.</summary>
    public static string? Canonical(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.ToLowerInvariant() switch
        {
            Pbkdf2 or PassphraseKek.Pbkdf2Sha256 => Pbkdf2,
            Scrypt => Scrypt,
            _ => null,
        };
    }

    /// <summary>The <see cref="PassphraseKek"/> KDF a canonical word selects.</summary>
    public static string KekName(string word) => word == Scrypt ? PassphraseKek.Scrypt : PassphraseKek.Pbkdf2Sha256;
}
