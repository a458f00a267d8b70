namespace BackupFunctions.Core.Restores;

/// <summary>
/// How to restore a backup (the body of <c>POST /api/backups/{id}/restore</c>, camelCase, every field optional).
/// Defaults are the issue's: a full restore in place over the live site, with a pre-restore backup first.
/// </summary>
public sealed record RestoreOptions
{
    public RestoreType Type { get; init; } = RestoreType.Full;

    /// <summary>Null: true when the backup has a database part.</summary>
    public bool? RestoreDatabase { get; init; }

    /// <summary>Null: true when the backup has site files.</summary>
    public bool? RestoreFiles { get; init; }

    /// <summary>Whether the <c>config/</c> component folder is restored too.</summary>
    public bool RestoreConfig { get; init; } = true;

    /// <summary>Site-relative path globs (<c>uploads/2024/**</c>) and database tables (<c>table:public.posts</c>) of a selective restore.</summary>
    public IReadOnlyList<string> SelectiveItems { get; init; } = [];

    /// <summary>Null: the config's live site root (in place).</summary>
    public string? TargetPath { get; init; }

    /// <summary>Null: the config's database (in place).</summary>
    public string? TargetDatabase { get; init; }

    public bool OverwriteExisting { get; init; } = true;
    public bool CreatePreRestoreBackup { get; init; } = true;

    /// <summary>Skips only the comparison after the restore; the parts are always proven before anything live changes.</summary>
    public bool SkipVerification { get; init; }

    public bool DryRun { get; init; }
}
