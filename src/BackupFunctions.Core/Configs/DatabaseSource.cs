namespace BackupFunctions.Core.Configs;

/// <summary>The CMS's PostgreSQL database.</summary>
public sealed record DatabaseSource
{
    public required string Host { get; init; }
    public int Port { get; init; } = 5432;
    public required string Database { get; init; }
    public required string Username { get; init; }

    /// <summary>
    /// Name of the app setting that holds the password, <c>BackupSecrets__NAME</c> (in Azure a Key Vault reference; see
    /// <see cref="Secrets.SecretReferences"/>); null for trust/peer auth.
    /// </summary>
    public string? PasswordSetting { get; init; }

    /// <summary>
    /// TLS to the server: <c>verify-full</c> (default; also for configs stored before the field existed),
    /// <c>require</c> or <c>disable</c> (<see cref="Sources.PostgresSslModes"/>).
    /// </summary>
    public string SslMode { get; init; } = Sources.PostgresSslModes.VerifyFull;

    /// <summary>The role a restore into this database connects as; null: the backup role above.</summary>
    public DatabaseRestoreRole? Restore { get; init; }
}
