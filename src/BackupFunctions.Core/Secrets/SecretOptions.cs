namespace BackupFunctions.Core.Secrets;

/// <summary>How secrets inside storage locations are kept (settings section <c>Secrets</c>).</summary>
public sealed class SecretOptions
{
    public const string SectionName = "Secrets";

    /// <summary>
    /// 32 random bytes, base64 (<c>head -c 32 /dev/urandom | base64</c>): seals secret values posted to the API before
    /// they reach a table row. In Azure, make this app setting a Key Vault reference. Empty: the API accepts only
    /// references to app settings (<c>{"setting": "BackupSecrets__NAME"}</c>) for secrets.
    /// </summary>
    public string SealingKey { get; set; } = "";
}
