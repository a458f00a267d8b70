using BackupFunctions.Core.Restores;

namespace BackupFunctions.Http;

/// <summary>
/// The body of <c>POST /api/backup-configs/{id}/restore</c>: the instant to go back to, and the same options as
/// <c>POST /api/backups/{id}/restore</c> (<see cref="RestoreOptions"/>, every field optional).
/// </summary>
public sealed record PointInTimeRestoreBody
{
    public required DateTimeOffset PointInTime { get; init; }

    public RestoreType Type { get; init; } = RestoreType.Full;
    public bool? RestoreDatabase { get; init; }
    public bool? RestoreFiles { get; init; }
    public bool RestoreConfig { get; init; } = true;
    public IReadOnlyList<string> SelectiveItems { get; init; } = [];
    public string? TargetPath { get; init; }
    public string? TargetDatabase { get; init; }
    public bool OverwriteExisting { get; init; } = true;
    public bool CreatePreRestoreBackup { get; init; } = true;
    public bool SkipVerification { get; init; }
    public bool DryRun { get; init; }

    public RestoreOptions ToOptions() => new()
    {
        Type = Type,
        RestoreDatabase = RestoreDatabase,
        RestoreFiles = RestoreFiles,
        RestoreConfig = RestoreConfig,
        SelectiveItems = SelectiveItems,
        TargetPath = TargetPath,
        TargetDatabase = TargetDatabase,
        OverwriteExisting = OverwriteExisting,
        CreatePreRestoreBackup = CreatePreRestoreBackup,
        SkipVerification = SkipVerification,
        DryRun = DryRun,
    };
}
