using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// A restore's options checked against its backup and config and turned into targets
/// (<see cref="RestoreLauncher.PlanAsync"/>): where the files go, which database, what is selected. The API checks with
/// it before writing the job; the orchestration's first step may check with it again, since the targets can change
/// between the request and the run.
/// </summary>
/// <param name="Store">The destination holding the copy read (the primary when it was made).</param>
/// <param name="Prefix">The config's storage prefix at that destination.</param>
/// <param name="SiteRoot">The resolved folder the files are restored into; null when no files are restored.</param>
/// <param name="Database">The database restored into (the config's server, its name replaced by <c>targetDatabase</c>); null when none.</param>
public sealed record RestoreTargetPlan(
    BackupRecord Backup,
    StoredBackupConfig Config,
    IBackupStore Store,
    string Prefix,
    string? SiteRoot,
    DatabaseSource? Database)
{
    /// <summary>The component folders restored (the config's, without <c>config</c> when <c>restoreConfig</c> is false).</summary>
    public IReadOnlyList<string> Components { get; init; } = [];

    /// <summary>The files go into the config's live site root (not a new or empty folder elsewhere).</summary>
    public bool FilesInPlace { get; init; }

    /// <summary>The database is the config's live one (not a new or empty database elsewhere).</summary>
    public bool DatabaseInPlace { get; init; }

    /// <summary>Selective restore: the items (checked by <see cref="RestoreSelection.Parse"/>); null: everything.</summary>
    public IReadOnlyList<string>? Items { get; init; }

    public bool OverwriteExisting { get; init; } = true;

    /// <summary>The backup was made without encryption (the restore accepts a manifest without a key).</summary>
    public bool AllowUnencrypted { get; init; }

    /// <summary>The steps' input for restore job <paramref name="jobId"/>, given the database's connection (restore role).</summary>
    public InPlaceRestoreTarget ToTarget(string jobId, PostgresConnectionInfo? database) => new(jobId, Store, Prefix, Backup.Id, SiteRoot, database)
    {
        Components = Components,
        Items = Items,
        OverwriteExisting = OverwriteExisting,
        AllowUnencrypted = AllowUnencrypted,
    };
}
