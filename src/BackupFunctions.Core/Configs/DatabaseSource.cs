namespace BackupFunctions.Core.Configs;

/// <summary>The CMS's PostgreSQL database.</summary>
public sealed record DatabaseSource
{
    public required string Host { get; init; }
    public int Port { get; init; } = 5432;
    public required string Database { get; init; }
    public required string Username { get; init; }

    /// <summary>Name of the app setting (or Key Vault reference) that holds the password; null for trust/peer auth.</summary>
    public string? PasswordSetting { get; init; }
}
