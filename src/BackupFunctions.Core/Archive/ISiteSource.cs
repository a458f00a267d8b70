namespace BackupFunctions.Core.Archive;

/// <summary>
/// Where a site's files are read from: a local folder today (<see cref="LocalSiteSource"/>); Azure Files, Blob and SFTP
/// sources later. The planner and the archiver see a site only through this, never through the file system.
/// </summary>
/// <remarks>
/// The site may change between the listing and the reads: a file or link that is gone, or is no longer of the type
/// listed, comes back as null and is reported by the archiver as skipped, never as a failure.
/// </remarks>
public interface ISiteSource
{
    /// <summary>The components backed up ('/'-separated, ordinal order, none inside another).</summary>
    IReadOnlyList<string> Components { get; }

    /// <summary>
    /// The entries in walk order: components in ordinal order, each depth-first with a folder before its content and
    /// siblings in ordinal order. Links are listed, never followed. Entries that changed while listed go to <paramref name="skipped"/>.
    /// </summary>
    IEnumerable<SiteEntry> Walk(Action<FileChange> skipped);

    /// <summary>Opens a file for reading; null when it is gone or no longer a file.</summary>
    SiteFile? OpenFile(string path);

    /// <summary>Where a link points now; null when it is gone or no longer a link.</summary>
    string? ReadLink(string path);

    /// <summary>Components below a folder that is a link: the walk does not follow it, so nothing of them is backed up.</summary>
    IEnumerable<LinkedComponent> ComponentsBelowLinks();
}
