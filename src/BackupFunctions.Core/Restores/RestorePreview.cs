namespace BackupFunctions.Core.Restores;

/// <summary>What a restore of <see cref="BackupId"/> would change; nothing was changed to find out.</summary>
/// <param name="Files">Null when no target folder was given.</param>
/// <param name="Database">Null when no target database was given or the backup has no database.</param>
public sealed record RestorePreview(
    string BackupId, DateTimeOffset BackupCreatedAt, FilePreview? Files, DatabasePreview? Database, IReadOnlyList<RestoreWarning> Warnings);
