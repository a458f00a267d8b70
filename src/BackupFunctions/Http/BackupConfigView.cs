using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Scheduling;

namespace BackupFunctions.Http;

/// <summary>A config as the API shows it: the config plus its id, times and the next scheduled run.</summary>
public sealed record BackupConfigView(
    string Id,
    string Name,
    DatabaseSource? Database,
    FilesSource? Files,
    BackupSchedule Schedule,
    StorageDestination Storage,
    IReadOnlyList<StorageDestination> Replicas,
    CompressionOptions Compression,
    EncryptionOptions Encryption,
    int MaxConcurrent,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextRunAt)
{
    /// <summary>Which backups are kept (null keeps all); keepWithin is shown as its duration text.</summary>
    public Core.Retention.RetentionPolicy? Retention { get; init; }

    /// <summary>Who is told about runs; webhook secrets only as "signed" and the setting they come from.</summary>
    public NotificationConfigView? Notifications { get; init; }

    /// <summary>The config's restore drills (schedule and checks); null: drills only on request, without checks.</summary>
    public RestoreDrillConfig? RestoreDrill { get; init; }

    /// <summary>
    /// <paramref name="now"/> only serves rows stored before <see cref="StoredBackupConfig.NextRunAt"/> existed: their
    /// next run is worked out on the spot.
    /// </summary>

    public static BackupConfigView From(StoredBackupConfig stored, DateTimeOffset now)
    {
        var c = stored.Config;
        return new BackupConfigView(stored.Id, c.Name, c.Database, c.Files, c.Schedule, c.Storage, c.Replicas, c.Compression, c.Encryption,
            c.MaxConcurrent, stored.CreatedAt, stored.UpdatedAt, stored.NextRunAt ?? ScheduleCalculator.NextSlot(c.Schedule, now))
        {
            Retention = c.Retention,
            Notifications = NotificationConfigView.From(c.Notifications),
            RestoreDrill = c.RestoreDrill,
        };
    }
}
