using System.Text.Json;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Http.OpenApi;

/// <summary>
/// The request examples of the OpenAPI document, written as instances of the request types themselves: a field that
/// is renamed or removed in code stops compiling here instead of leaving a stale example behind.
/// </summary>
public static class ApiExamples
{
    public static readonly ApiExample CreateConfig = new("blog", "A CMS: its database and site folders, daily at 02:30 Berlin time, kept 7 days / 4 weeks / 12 months", new BackupConfigInput
    {
        Name = "My blog",
        Type = "incremental",
        Incremental = new IncrementalOptions { FullEvery = 7, Compare = IncrementalOptions.CompareMetadata },
        Database = new DatabaseSource
        {
            Host = "db.example.com",
            Database = "cms",
            Username = "backup",
            PasswordSetting = "BackupSecrets__CMS_DB_PASSWORD",
        },
        Files = new FilesSourceInput { Root = "/var/www/cms" },
        Schedule = new ScheduleInput { Frequency = "daily", Time = "02:30", TimeZone = "Europe/Berlin" },
        Storage = new StorageInput([new StorageEntryInput { Type = "azureBlob", Container = "backups", Prefix = "my-blog" }], IsList: false),
        Retention = new RetentionPolicy { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, KeepWithin = TimeSpan.FromDays(30), AutoCleanup = true },
        Notifications = new NotificationConfig
        {
            Webhooks = [new WebhookChannel { Url = "https://hooks.example.com/backups", Secret = new SecretValue { Setting = "BackupSecrets__BACKUP_WEBHOOK_SECRET" } }],
        },
    });

    public static readonly ApiExample CreateConfigByStorageId = new("storedDestination", "Files only, to a storage location created with POST /api/backup-storage, with one replica", new BackupConfigInput
    {
        Name = "Uploads to S3",
        Type = "files",
        Files = new FilesSourceInput { Root = "/var/www/cms", Components = [new FilesComponentInput { Name = "uploads" }] },
        Schedule = new ScheduleInput { Frequency = "hourly", Minute = 15 },
        Storage = new StorageInput([new StorageEntryInput { StorageId = "stg-0123456789abcdef", Prefix = "uploads" }], IsList: false),
        Replicas = [new StorageDestination { Type = "local", Path = "replica" }],
    });

    public static readonly ApiExample CreateConfigSeedShape = new("seed", "The seed's BackupConfig words: the install's default CMS, a storage array with its primary, weekly on Sunday (dayOfWeek 0 or sunday)", new BackupConfigInput
    {
        Name = "Weekly full backup",
        Description = "Everything, every Sunday night",
        Type = "full",
        Enabled = true,
        Verification = true,
        Schedule = new ScheduleInput { Frequency = "weekly", Time = "03:00", DayOfWeek = "sunday", MaxConcurrent = 1 },
        TimeZone = "Europe/Berlin",
        Storage = new StorageInput(
        [
            new StorageEntryInput { Id = "stg-0123456789abcdef", Primary = true },
            new StorageEntryInput { Type = "local", Path = "offsite", Primary = false },
        ], IsList: true),
        Compression = new CompressionInput { Enabled = true, Algorithm = "zstd", Level = 3 },
        Encryption = new EncryptionInput { Enabled = true, Algorithm = "aes256", KeyDerivation = "scrypt" },
        Retention = new RetentionPolicy { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12 },
    });

    public static readonly ApiExample StartBackup = new("now", "Back up a config now", new StartBackupBody { ConfigId = "cfg-0123456789abcdef" });

    public static readonly ApiExample RestoreInPlace = new("inPlace", "Everything, in place, after a pre-restore backup", new RestoreOptions());

    public static readonly ApiExample RestorePreview = new("preview", "What would change? Nothing is touched", new RestoreOptions { DryRun = true });

    public static readonly ApiExample RestoreElsewhere = new("elsewhere", "The files into a new folder, nothing live touched", new RestoreOptions
    {
        Type = RestoreType.Files,
        TargetPath = "/var/www/restored",
        CreatePreRestoreBackup = false,
    });

    public static readonly ApiExample RestoreAtPointInTime = new("pointInTime", "The newest good backup made at or before a moment", new PointInTimeRestoreBody
    {
        PointInTime = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero),
    });

    public static readonly ApiExample CreateStorage = new("sftp", "An SFTP server; the password is a reference to an app setting, never returned", new StorageLocationInput
    {
        Name = "offsite",
        Type = "sftp",
        Settings = new()
        {
            ["host"] = JsonSerializer.SerializeToElement("backup.example.org"),
            ["port"] = JsonSerializer.SerializeToElement(22),
            ["user"] = JsonSerializer.SerializeToElement("cms"),
            ["path"] = JsonSerializer.SerializeToElement("backups"),
            ["hostKeyFingerprint"] = JsonSerializer.SerializeToElement("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"),
        },
        Secrets = new() { ["password"] = new SecretValue { Setting = "BackupSecrets__OFFSITE_SFTP_PASSWORD" } },
        MaxSizeBytes = 107_374_182_400,
    });

    public static readonly ApiExample VerifyQuick = new("quick", "Sizes and SHA-256 of the primary copy's objects", new VerifyBackupBody { Level = "quick", Location = 0 });

    public static readonly ApiExample CleanupApply = new("apply", "Apply the retention plan", new CleanupBody { DryRun = false });

    public static readonly ApiExample Acknowledge = new("onIt", "Someone is on it", new AcknowledgeAlertBody { By = "ops@example.com", Note = "Disk replaced; re-running tonight." });
}
