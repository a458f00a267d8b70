using Azure.Identity;

namespace BackupFunctions.Core.Keys;

/// <summary>Builds the configured key-encryption key from <see cref="KeyOptions"/>.</summary>
public static class KeyEncryptionKeys
{
    private const string ExactlyOne =
        "Set exactly one of Keys:LocalKeyFile, Keys:PassphraseSetting and Keys:KeyVaultKeyUrl to choose the key that wraps the backups' data keys";

    /// <summary>Why the options cannot make a key-encryption key, or null when they can.</summary>
    /// <param name="setting">Reads an app setting by name (for the passphrase setting).</param>
    public static string? Validate(KeyOptions options, Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(setting);
        var set = new[] { options.LocalKeyFile, options.PassphraseSetting, options.KeyVaultKeyUrl }.Count(value => value.Length > 0);
        if (set != 1)
            return set == 0 ? ExactlyOne + "." : ExactlyOne + $"; {set} are set.";

        if (options.LocalKeyFile.Length > 0 && !File.Exists(options.LocalKeyFile))
            return $"The file named by Keys:LocalKeyFile ('{options.LocalKeyFile}') does not exist.";
        if (options.PassphraseSetting.Length > 0)
        {
            if (string.IsNullOrEmpty(setting(options.PassphraseSetting)))
                return $"The app setting '{options.PassphraseSetting}' named by Keys:PassphraseSetting is missing or empty.";
            if (options.PassphraseKdf.Length > 0 && options.PassphraseKdf.ToLowerInvariant() is not (PassphraseKek.Pbkdf2Sha256 or PassphraseKek.Scrypt))
                return $"Keys:PassphraseKdf is '{options.PassphraseKdf}'; use {PassphraseKek.Pbkdf2Sha256} or {PassphraseKek.Scrypt}.";
        }
        if (options.KeyVaultKeyUrl.Length > 0
            && (!Uri.TryCreate(options.KeyVaultKeyUrl, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps
                || !url.AbsolutePath.StartsWith("/keys/", StringComparison.Ordinal)))
            return $"Keys:KeyVaultKeyUrl '{options.KeyVaultKeyUrl}' is not an https Key Vault key URL (https://{{vault}}.vault.azure.net/keys/{{name}}[/{{version}}]).";
        return null;
    }

    /// <summary>
    /// The key-encryption key the options choose: a local key file, a passphrase read from the app setting they name,
    /// or a Key Vault key reached with <see cref="DefaultAzureCredential"/> (managed identity in Azure).
    /// </summary>
    /// <exception cref="InvalidOperationException">The options are not valid (see <see cref="Validate"/>).</exception>
    public static IKeyEncryptionKey Create(KeyOptions options, Func<string, string?> setting)
    {
        if (Validate(options, setting) is { } problem)
            throw new InvalidOperationException(problem);
        if (options.LocalKeyFile.Length > 0)
            return new LocalKeyFileKek(options.LocalKeyFile);
        if (options.PassphraseSetting.Length > 0)
        {
            var kdf = options.PassphraseKdf.Length > 0 ? options.PassphraseKdf : PassphraseKek.Pbkdf2Sha256;
            return new PassphraseKek(setting(options.PassphraseSetting)!, kdf);
        }
        return new KeyVaultKek(new Uri(options.KeyVaultKeyUrl), new DefaultAzureCredential());
    }
}
