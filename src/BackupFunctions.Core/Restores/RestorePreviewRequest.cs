using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// What to preview: a restore of one backup onto live targets, without changing either. Either target may be left out.
/// </summary>
/// <param name="Store">The destination holding the backup (only its manifest and file index are read).</param>
/// <param name="Prefix">The config's storage prefix (the part of object names before <c>backups/</c>).</param>
/// <param name="BackupId">The backup to preview.</param>
/// <param name="TargetRoot">
/// The live site root (or another folder the files would be restored into), already confined by the caller
/// (<see cref="Configs.SiteRoots.Confine"/>); null previews no files. A folder that does not exist is previewed as empty.
/// </param>
/// <param name="Components">The site components restored: index entries outside them are not restored, live entries outside them are not touched.</param>
/// <param name="TargetDatabase">The live database; null previews no database.</param>
public sealed record RestorePreviewRequest(
    IBackupStore Store, string Prefix, string BackupId, string? TargetRoot, IReadOnlyList<string> Components, PostgresConnectionInfo? TargetDatabase)
{
    /// <summary>
    /// Selective restore: site-relative globs (a path is included when a glob matches it or a folder above it) and
    /// <c>table:schema.name</c> items. Null or empty restores everything; otherwise only the items named (a selection of
    /// globs only restores no tables, one of tables only restores no files). See <see cref="RestoreSelection"/>.
    /// </summary>
    public IReadOnlyList<string>? Items { get; init; }

    /// <summary>
    /// True: live entries that differ are overwritten and live entries the backup lacks are deleted. False: existing
    /// entries are left as they are (reported as skipped) and nothing is deleted.
    /// </summary>
    public bool OverwriteExisting { get; init; } = true;

    /// <summary>When the newest successful backup of the config was made (from the catalog); a warning says when this backup is older.</summary>
    public DateTimeOffset? NewestBackupCreatedAt { get; init; }

    /// <summary>Accept a backup made without encryption (as <see cref="RestoreRequest.AllowUnencrypted"/>).</summary>
    public bool AllowUnencrypted { get; init; }

    /// <summary>
    /// The live site when it is not a local folder (Blob, SFTP, Azure Files, or components in several places), opened by
    /// the caller from the config's <see cref="Configs.FilesSource"/> and disposed by it; used when <see cref="TargetRoot"/> is
    /// null. Its listing is compared with the index (size, modification time, mode, link target): no file is read.
    /// </summary>
    public Archive.ISiteSource? LiveSite { get; init; }

    public string Folder => Backups.ObjectNames.BackupFolder(Prefix, BackupId);
}
