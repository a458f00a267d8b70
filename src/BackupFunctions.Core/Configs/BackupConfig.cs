using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Retention;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// What to back up, when, how and where — as the CMS posts it to <c>/api/backup-configs</c>. Holds no secrets:
/// a database password is referenced by the name of an app setting (<see cref="DatabaseSource.PasswordSetting"/>).
/// </summary>
public sealed record BackupConfig
{
    public required string Name { get; init; }

    /// <summary>Free text for the people who run the CMS (the seed's <c>description</c>); null: none.</summary>
    public string? Description { get; init; }

    /// <summary>
    /// False pauses the config: no scheduled backups or restore drills start, <c>nextRunAt</c> is null and no
    /// backup_overdue alert is raised; nothing is deleted, and a backup or drill started by request still runs.
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Whether a run reads each copy back and checks it after writing it (quick verification); default true.</summary>
    public bool Verification { get; init; } = true;

    /// <summary>
    /// What each run backs up (<see cref="Format.BackupTypes"/>): <c>full</c> (the database and files given),
    /// <c>incremental</c> (the database in full, the files that changed since the last backup), <c>database</c> or
    /// <c>files</c> (only that part). Null: <c>full</c>.
    /// </summary>
    public string? Type { get; init; }

    /// <summary>How an <c>incremental</c> config compares and how often it makes a full backup; null: the defaults.</summary>
    public IncrementalOptions? Incremental { get; init; }
    public DatabaseSource? Database { get; init; }
    public FilesSource? Files { get; init; }
    public required BackupSchedule Schedule { get; init; }
    /// <summary>The primary destination: written first; a failure here fails the backup.</summary>
    public required StorageDestination Storage { get; init; }

    /// <summary>Secondary destinations: each gets a copy after the primary is complete; a failed copy is a warning.</summary>
    public IReadOnlyList<StorageDestination> Replicas { get; init; } = [];
    public CompressionOptions Compression { get; init; } = new();
    public EncryptionOptions Encryption { get; init; } = new();

    /// <summary>How many runs of this config may go at once; a scheduled slot that falls due at the limit is skipped.</summary>
    public int MaxConcurrent { get; init; } = 1;

    /// <summary>Which backups are kept; null keeps everything.</summary>
    public RetentionPolicy? Retention { get; init; }

    /// <summary>Who is told about runs; null tells nobody.</summary>
    public NotificationConfig? Notifications { get; init; }

    /// <summary>Scheduled restore drills and their checks; null: drills only on request, without checks.</summary>
    public RestoreDrillConfig? RestoreDrill { get; init; }

    /// <summary>The config with only the parts its <see cref="Type"/> backs up (a run fixes this in its plan).</summary>
    public BackupConfig WithPartsOfType() => Type switch
    {
        Format.BackupTypes.Database => this with { Files = null },
        Format.BackupTypes.Files => this with { Database = null },
        _ => this,
    };
}
