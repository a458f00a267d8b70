namespace BackupFunctions.Core.Restores;

/// <summary>
/// What one in-place files restore (<see cref="InPlaceFileRestore"/>) does: the same request is given to every step of
/// the job, so that each step (and a retry of it on a fresh instance) finds the job's staging and journal again.
/// </summary>
/// <param name="JobId">The restore job: letters, digits, '-' and '_', at most 64 characters. Names the staging folder and the set-aside folders.</param>
/// <param name="SiteRoot">The live site root (absolute); resolved with every symbolic link along it followed.</param>
/// <param name="OverwriteExisting">
/// True: each restored component ends exactly as in the backup (or, with <paramref name="Items"/>, each matched entry does).
/// False: only what is missing in the live site is restored; what exists is left and counted as skipped.
/// </param>
/// <param name="Items">
/// Site-relative globs (<c>uploads/2024/**</c>, <c>themes/*/style.css</c>, or a folder such as <c>uploads/2024</c>,
/// which selects everything below it); null or empty restores whole components. With items, nothing the globs do not
/// match is written or removed.
/// </param>
/// <param name="Components">Only these components (folder names under the site root); null: every component of the backup.</param>
public sealed record InPlaceRestoreRequest(
    string JobId,
    string SiteRoot,
    bool OverwriteExisting = true,
    IReadOnlyList<string>? Items = null,
    IReadOnlyList<string>? Components = null);
