namespace BackupFunctions.Core.Configs;

/// <summary>The default CMS's PostgreSQL database (settings <c>Cms:Database:*</c>); empty Host: none.</summary>
public sealed class CmsDatabaseOptions
{
    public string Host { get; set; } = "";
    public int Port { get; set; } = 5432;
    public string Name { get; set; } = "";
    public string Username { get; set; } = "";

    /// <summary>The app setting holding the password, <c>BackupSecrets__NAME</c> (as a config's passwordSetting); empty for trust/peer auth.</summary>
    public string PasswordSetting { get; set; } = "";

    /// <summary><c>verify-full</c> (empty: the default), <c>require</c> or <c>disable</c>.</summary>
    public string SslMode { get; set; } = "";
}
