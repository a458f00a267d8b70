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

    /// <summary>Copy <paramref name="index"/>: 0 is the primary, 1… the config's replicas in order.</summary>
    public Configs.StorageDestination Destination(int index) => index == 0 ? Config.Storage : Config.Replicas[index - 1];

    /// <summary>
    /// Replicas left out of this run, by copy index, with the reason (their storage location was disabled when the job
    /// started): the backup completes on the others with a warning instead of failing for a copy nobody wants now.
    /// </summary>
    public IReadOnlyDictionary<int, string>? SkippedCopies { get; init; }

    /// <summary>Why copy <paramref name="index"/> is left out of this run, or null when it is made.</summary>
    public string? SkipReason(int index) => SkippedCopies?.GetValueOrDefault(index);

    /// <summary>The backup's folder in copy <paramref name="index"/>.</summary>
    public string FolderIn(int index) => ObjectNames.BackupFolder(Destination(index).Prefix, BackupId);
}
