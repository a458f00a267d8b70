using BackupFunctions.Core.Secrets;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Resolves <see cref="DatabaseSource.PasswordSetting"/> through <see cref="SecretReferences"/> (an app setting
/// <c>BackupSecrets__NAME</c>, a Key Vault reference in Azure), so passwords never sit in the catalog and a config
/// can never send another app setting to the database host it names.
/// </summary>
public sealed class DatabasePasswords(SecretReferences references)
{
    /// <summary>The password, or null when the source names no setting.</summary>
    /// <exception cref="InvalidOperationException">The named setting is not set, or is outside <c>BackupSecrets</c> (a config stored before the rule).</exception>
    public string? Resolve(DatabaseSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (string.IsNullOrEmpty(source.PasswordSetting))
            return null;
        return references.Resolve(source.PasswordSetting, $"database password of {source.Database}@{source.Host} (database.passwordSetting)", "the config");
    }

    /// <summary>The password of the restore role (<see cref="DatabaseSource.Restore"/>), or null when it names no setting.</summary>
    /// <exception cref="InvalidOperationException">The source has no restore role, or its setting is not set or outside <c>BackupSecrets</c>.</exception>
    public string? ResolveRestore(DatabaseSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var role = source.Restore ?? throw new InvalidOperationException($"the config of {source.Database}@{source.Host} names no restore role (database.restore)");
        if (string.IsNullOrEmpty(role.PasswordSetting))
            return null;
        return references.Resolve(role.PasswordSetting, $"restore password of {source.Database}@{source.Host} (database.restore.passwordSetting)", "the config");
    }
}
