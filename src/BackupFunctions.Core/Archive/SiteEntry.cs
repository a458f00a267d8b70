namespace BackupFunctions.Core.Archive;

/// <summary>
/// One entry of a site as a <see cref="ISiteSource"/> lists it: '/'-separated path relative to the site root, its type
/// (<see cref="FileIndexEntry.FileType"/>, <see cref="FileIndexEntry.DirectoryType"/> or
/// <see cref="FileIndexEntry.SymbolicLinkType"/>), size (files; 0 otherwise), modification time and Unix mode.
/// </summary>
public sealed record SiteEntry(string Path, string Type, long Size, DateTimeOffset ModifiedAt, int Mode)
{
    /// <summary>Where a link points, as listed; null for files and folders.</summary>
    public string? LinkTarget { get; init; }

    /// <summary>Which file this is for the source (device:inode locally), to tell it was replaced by the time it is opened.</summary>
    public string? Identity { get; init; }

    /// <summary>A folder that was replaced by another under the same name while it was listed.</summary>
    public bool Replaced { get; init; }
}
