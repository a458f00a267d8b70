using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// What one restore job does, fixed when it starts (<see cref="RestoreJobRunner.StartAsync"/>) and given to every later
/// step. It travels through orchestration history, so it holds no secret: the config's storage and database name the
/// settings their secrets live in; each step resolves connections and keys itself.
/// </summary>
/// <param name="JobId">The restore job (the orchestration's instance id).</param>
/// <param name="Storage">The config's primary destination, where the backup (and the pre-restore backup) live.</param>
/// <param name="StartedAt">When the job started running.</param>
public sealed record RestoreJobPlan(string JobId, string ConfigId, string ConfigName, string BackupId, StorageDestination Storage, DateTimeOffset StartedAt)
{
    /// <summary>The folder restored into (resolved and confined when the job started); null: no files restored.</summary>
    public string? SiteRoot { get; init; }

    /// <summary>
    /// The site when it is not a local folder (files.source azureBlob, sftp, azureFiles): restored in place through
    /// its <see cref="ISiteTarget"/>; <see cref="SiteRoot"/> is null then. Holds no secret (setting names only).
    /// </summary>
    public Sources.Sites.SiteSourceSettings? SiteSource { get; init; }

    /// <summary>
    /// A site whose restored components live in different places: one entry per place (each staged and swapped on its
    /// own, step by step); <see cref="SiteRoot"/> and <see cref="SiteSource"/> are null then. Null for one place.
    /// </summary>
    public IReadOnlyList<RestoreSitePlace>? SitePlaces { get; init; }

    /// <summary>Whether the plan restores site files (into a local folder or through a site target).</summary>
    public bool RestoresFiles => SiteRoot is not null || SiteSource is not null || SitePlaces is { Count: > 0 };

    /// <summary>The components restored (the config's, without <c>config</c> unless <c>restoreConfig</c>); null: every one of the backup.</summary>
    public IReadOnlyList<string>? Components { get; init; }

    /// <summary>Selective restore items (globs and <c>table:</c> items); null: everything.</summary>
    public IReadOnlyList<string>? Items { get; init; }

    /// <summary>The database restored into (the config's, or its <c>targetDatabase</c> on the same server); null: none.</summary>
    public DatabaseSource? Database { get; init; }

    /// <summary>Whether the targets are the config's live site and database (no <c>targetPath</c> / <c>targetDatabase</c>).</summary>
    public bool InPlace { get; init; }

    public bool OverwriteExisting { get; init; } = true;
    public bool SkipVerification { get; init; }

    /// <summary>Whether a backup of the live state is taken before anything is touched (in place only).</summary>
    public bool TakePreRestoreBackup { get; init; }

    /// <summary>The pre-restore backup once it is recorded; null before, or when none is taken.</summary>
    public string? PreRestoreBackupId { get; init; }

    /// <summary>The restored backup was made without encryption (its manifest carries no key).</summary>
    public bool Unencrypted { get; init; }

    /// <summary>How long the database restore waits for another session's lock (<see cref="RestoreJobOptions.LockTimeoutSeconds"/>).</summary>
    public double LockTimeoutSeconds { get; init; } = 30;
}
