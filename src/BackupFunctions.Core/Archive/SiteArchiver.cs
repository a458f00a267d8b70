namespace BackupFunctions.Core.Archive;

/// <summary>
/// Writes a CMS site's components (uploads, themes, plugins, config — folders under the site root) as a PAX tar
/// stream, one file at a time, hashing each file as it streams. Symbolic links are stored as links, never followed.
/// </summary>
public static class SiteArchiver
{
    /// <summary>Counts files, folders and bytes of the components (missing components are skipped).</summary>
    public static SiteScan Scan(string siteRoot, IReadOnlyList<string> components)
        => throw new NotImplementedException();

    /// <summary>
    /// Writes the tar to <paramref name="tarOutput"/> (not disposed). Entry names are '/'-separated paths relative to
    /// the site root, e.g. <c>uploads/2024/photo.jpg</c>. <paramref name="volume"/> is recorded in each index entry.
    /// </summary>
    public static Task<ArchiveResult> WriteAsync(
        string siteRoot,
        IReadOnlyList<string> components,
        string volume,
        Stream tarOutput,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        => throw new NotImplementedException();
}
