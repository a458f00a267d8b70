using Microsoft.Extensions.Configuration;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Resolves <see cref="DatabaseSource.PasswordSetting"/> from the app's settings (app settings or Key Vault references
/// in Azure, local.settings.json locally), so passwords never sit in the catalog.
/// </summary>
public sealed class DatabasePasswords(IConfiguration configuration)
{
    /// <summary>The password, or null when the source names no setting. A named but missing setting is an error.</summary>
    public string? Resolve(DatabaseSource source)
    {
        if (string.IsNullOrEmpty(source.PasswordSetting))
            return null;
        return configuration[source.PasswordSetting]
            ?? throw new InvalidOperationException(
                $"The setting '{source.PasswordSetting}' named by database.passwordSetting is not set.");
    }
}
