using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Catalog;

/// <summary>A backup config as the catalog holds it.</summary>
public sealed record StoredBackupConfig(string Id, BackupConfig Config, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// The next scheduled slot as of the last look (creation, or the scheduler's last run); null for manual schedules
    /// and for rows written before the column existed.
    /// </summary>
    public DateTimeOffset? NextRunAt { get; init; }
}
