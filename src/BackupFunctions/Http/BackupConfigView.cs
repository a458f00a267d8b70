using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Scheduling;

namespace BackupFunctions.Http;

/// <summary>
/// A config as the API shows it, in its one canonical shape (docs/api.md, "Backup configs"): the seed's BackupConfig
/// words — <c>schedule.maxConcurrent</c>, <c>storage</c> as an array with one <c>primary: true</c> entry,
/// <c>compression.enabled</c>, <c>encryption.enabled</c> — plus id, times and the next scheduled run. Every field is
/// present; absent values are null. A body of this shape may be sent back with PUT.
/// </summary>
public sealed record BackupConfigView
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary><c>full</c>, <c>incremental</c>, <c>database</c> or <c>files</c> (a posted <c>selective</c> is <c>files</c> with its components).</summary>
    public required string Type { get; init; }

    /// <summary>False: paused (no scheduled backups or drills, <see cref="NextRunAt"/> null, never overdue).</summary>
    public bool Enabled { get; init; }

    /// <summary>Whether each run verifies every copy after writing it.</summary>
    public bool Verification { get; init; }
    public IncrementalOptions? Incremental { get; init; }
    public DatabaseSource? Database { get; init; }
    /// <summary>The site files as a request writes them: root (local) or source, components each a name or a name with its own source.</summary>
    public FilesSourceInput? Files { get; init; }
    public required BackupScheduleView Schedule { get; init; }

    /// <summary>The primary destination first (<c>primary: true</c>), then the replicas in order.</summary>
    public required IReadOnlyList<StorageEntryView> Storage { get; init; }
    public required CompressionView Compression { get; init; }
    public required EncryptionView Encryption { get; init; }

    /// <summary>Which backups are kept (null keeps all); keepWithin is shown as its duration text.</summary>
    public Core.Retention.RetentionPolicy? Retention { get; init; }

    /// <summary>Who is told about runs; webhook secrets only as "signed" and the setting they come from.</summary>
    public NotificationConfigView? Notifications { get; init; }

    /// <summary>The config's restore drills (schedule and checks); null: drills only on request, without checks.</summary>
    public RestoreDrillConfig? RestoreDrill { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The next scheduled run; null for manual schedules and while paused.</summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>
    /// <paramref name="now"/> only serves rows stored before <see cref="StoredBackupConfig.NextRunAt"/> existed: their
    /// next run is worked out on the spot.
    /// </summary>
    public static BackupConfigView From(StoredBackupConfig stored, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var c = stored.Config;
        return new BackupConfigView
        {
            Id = stored.Id,
            Name = c.Name,
            Description = c.Description,
            Type = c.Type ?? Core.Format.BackupTypes.OfParts(c.Database is not null, c.Files is not null),
            Enabled = c.Enabled,
            Verification = c.Verification,
            Incremental = c.Incremental,
            Database = c.Database,
            Files = c.Files is null ? null : FilesSourceInput.From(c.Files),
            Schedule = BackupScheduleView.From(c.Schedule, c.MaxConcurrent),
            Storage = [StorageEntryView.From(c.Storage, primary: true), .. c.Replicas.Select(r => StorageEntryView.From(r, primary: false))],
            Compression = new CompressionView(c.Compression.Algorithm != "none", c.Compression.Algorithm, c.Compression.Level),
            Encryption = new EncryptionView(!Core.Encryption.EncryptionAlgorithms.IsNone(c.Encryption.Algorithm), c.Encryption.Algorithm, c.Encryption.KeyDerivation),
            Retention = c.Retention,
            Notifications = NotificationConfigView.From(c.Notifications),
            RestoreDrill = c.RestoreDrill,
            CreatedAt = stored.CreatedAt,
            UpdatedAt = stored.UpdatedAt,
            NextRunAt = !c.Enabled ? null : stored.NextRunAt ?? ScheduleCalculator.NextSlot(c.Schedule, now),
        };
    }
}
