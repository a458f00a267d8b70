using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// What one backup run will do, fixed when the job starts: later edits of the config do not change a running backup.
/// Holds no secrets (the config names settings, never holds passwords), so it may travel through orchestration history.
/// </summary>
public sealed record BackupPlan(string JobId, string BackupId, string ConfigId, BackupConfig Config, DateTimeOffset StartedAt)
{
    /// <summary>Every object of this backup lives under this folder of the destination.</summary>
    public string Folder => ObjectNames.BackupFolder(Config.Storage.Prefix, BackupId);
}
