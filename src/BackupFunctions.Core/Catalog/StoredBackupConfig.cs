using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Catalog;

/// <summary>A backup config as the catalog holds it.</summary>
public sealed record StoredBackupConfig(string Id, BackupConfig Config, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
