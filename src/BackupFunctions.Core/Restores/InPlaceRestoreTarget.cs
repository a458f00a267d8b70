using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// One in-place restore, given unchanged to every step of <see cref="InPlaceRestorer"/> (each step may run on a fresh
/// instance after a crash: the state lives in the targets, never in the restorer).
/// </summary>
/// <param name="JobId">The restore job (names the staging and set-aside folders; see <see cref="InPlaceRestoreRequest.JobId"/>).</param>
/// <param name="Store">The destination holding the backup.</param>
/// <param name="Prefix">The config's storage prefix (the part of object names before <c>backups/</c>).</param>
/// <param name="BackupId">The backup restored.</param>
/// <param name="SiteRoot">The folder the site files are restored into (confined by the caller); null restores no files.</param>
/// <param name="Database">The database restored into (connected with the restore role); null restores no database.</param>
public sealed record InPlaceRestoreTarget(
    string JobId,
    IBackupStore Store,
    string Prefix,
    string BackupId,
    string? SiteRoot,
    PostgresConnectionInfo? Database)
{
    /// <summary>Only these components (folder names under the site root); null: every component of the backup.</summary>
    public IReadOnlyList<string>? Components { get; init; }

    /// <summary>Selective restore: globs and <c>table:schema.name</c> items (<see cref="RestoreSelection"/>); null or empty: everything.</summary>
    public IReadOnlyList<string>? Items { get; init; }

    /// <summary>See <see cref="RestoreOptions.OverwriteExisting"/>.</summary>
    public bool OverwriteExisting { get; init; } = true;

    /// <summary>How long the database restore waits for a lock another session holds before it fails (and changes nothing).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Accept a backup made without encryption (as <see cref="RestoreRequest.AllowUnencrypted"/>).</summary>
    public bool AllowUnencrypted { get; init; }

    /// <summary>
    /// The site when it is not a local folder (<c>files.source</c> of type azureBlob, sftp, azureFiles: opened with
    /// <c>SiteTargets.Open</c> by the caller, who disposes it): the files are restored through it by
    /// <see cref="RemoteInPlaceFileRestore"/>, and <see cref="SiteRoot"/> is not used. Null: the local <see cref="SiteRoot"/>.
    /// </summary>
    public ISiteTarget? SiteTarget { get; init; }

    /// <summary>Files volumes staged at the same time (1 or more).</summary>
    public int MaxParallelVolumes { get; init; } = BackupVolumes.DefaultParallelism;

    public string Folder => Backups.ObjectNames.BackupFolder(Prefix, BackupId);
}
