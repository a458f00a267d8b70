namespace BackupFunctions.Core.Keys;

/// <summary>
/// Which key-encryption key wraps the backups' data keys (settings section <c>Keys</c>): exactly one of
/// <see cref="LocalKeyFile"/>, <see cref="PassphraseSetting"/> and <see cref="KeyVaultKeyUrl"/>.
/// </summary>
public sealed class KeyOptions
{
    public const string SectionName = "Keys";

    /// <summary>Path of the local key file (32 random bytes, base64). Make one with run.sh or LocalKeyFileKek.Create.</summary>
    public string LocalKeyFile { get; set; } = "";

    /// <summary>The NAME of the app setting that holds the passphrase (in Azure: an app setting or a Key Vault reference), never the passphrase.</summary>
    public string PassphraseSetting { get; set; } = "";

    /// <summary><c>pbkdf2-sha256</c> (default) or <c>scrypt</c>: the KDF of new backups; restores follow each backup's envelope.</summary>
    public string PassphraseKdf { get; set; } = "";

    /// <summary>https://{vault}.vault.azure.net/keys/{name}[/{version}]: an RSA key; without a version, the current one wraps.</summary>
    public string KeyVaultKeyUrl { get; set; } = "";

    /// <summary>
    /// Optional: 32 random bytes, base64 — a secret (in Azure a Key Vault reference). When set, a backup's data key
    /// travels between its steps sealed with it (<see cref="DataKeyTransit"/>), so the steps never unwrap the stored
    /// envelope and a wrap-only Key Vault identity can back up. Without it, each step unwraps with the KEK.
    /// </summary>
    public string TransitKey { get; set; } = "";
}
