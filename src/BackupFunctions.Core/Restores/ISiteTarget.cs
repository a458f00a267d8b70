using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Where an in-place restore writes a site's files back when the site is not a local folder (a local folder keeps
/// <see cref="InPlaceFileRestore"/>'s staging-then-swap). Paths are '/'-separated and relative to the source's root
/// (the component first), exactly as the archive names them; an implementation confines every path to that root.
/// </summary>
/// <remarks>
/// Where <see cref="CanRenameFolders"/> is true (SFTP, Azure Files) a restore stages each component in a sibling folder
/// and swaps it in with two renames, as the local restore does; where it is false (Blob: no folders to rename) files
/// are overwritten in place and extras deleted, and the pre-restore backup is the way back.
/// </remarks>
public interface ISiteTarget
{
    /// <summary>Whether <see cref="RenameFolderAsync"/> works (one step, on the server).</summary>
    bool CanRenameFolders { get; }

    /// <summary>
    /// Whether the target keeps symbolic links; where false, links of the backup are reported as skipped. (False for
    /// SFTP through SSH.NET too: it resolves every path with REALPATH, so it can neither write a relative link nor
    /// remove one without removing its target; see <c>SftpSiteTarget</c>.)
    /// </summary>
    bool CanCreateLinks { get; }

    /// <summary>
    /// What is under <paramref name="folder"/> (recursively, folders before their content; links not followed), each
    /// <see cref="SiteEntry.Path"/> relative to the root like <paramref name="folder"/> itself; empty when it does not
    /// exist. Where folders are implied (Blob) only files are listed.
    /// </summary>
    IAsyncEnumerable<SiteEntry> ListAsync(string folder, CancellationToken cancellationToken);

    /// <summary>
    /// What is directly in <paramref name="folder"/> (not below), in ordinal order of the paths, each
    /// <see cref="SiteEntry.Path"/> as in <see cref="ListAsync"/>; empty when it does not exist. Where folders are implied
    /// (Blob) a name that has blobs below it is listed once, as a folder. (Added for the restore: it looks through the
    /// site's root for what dead restore jobs left, without listing the whole site.)
    /// </summary>
    IAsyncEnumerable<SiteEntry> ListChildrenAsync(string folder, CancellationToken cancellationToken);

    /// <summary>
    /// The entry at <paramref name="path"/> itself (lstat: a link is reported as a link, never followed); null when
    /// nothing is there. (Added for the remote restore: it decides created / overwritten / skipped per entry, and checks
    /// that what it reads back is a file, not a link.)
    /// </summary>
    Task<SiteEntry?> GetEntryAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a file for reading, streamed (never through a link; <see cref="FileNotFoundException"/> when it is not a
    /// file). (Added for the remote restore: its journal lives in the target, verification reads back what was written,
    /// and a merge copies the live component into staging.)
    /// </summary>
    Task<Stream> OpenReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Creates a folder and its parents; nothing when it exists. (A no-op where folders are implied, Blob.)</summary>
    Task CreateFolderAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a whole file from <paramref name="content"/> (streamed, never buffered whole), replacing what is there,
    /// with its modification time (and Unix mode where the target keeps one). The replacement is whole or not at all
    /// (a temporary name renamed over the old one, or one blob upload): the restore's journal relies on it. An exception
    /// thrown by <paramref name="content"/> (a hash that does not match) fails the write, leaving the old file.
    /// </summary>
    Task WriteFileAsync(string path, Stream content, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken);

    /// <summary>
    /// Gives an existing folder its modification time and Unix mode where the target keeps them (SFTP: both; Azure
    /// Files: the time; Blob keeps no folders: nothing). Never through a link. (Added for the restore: it sets each
    /// restored folder's once everything inside it is written, as the local restore does.)
    /// </summary>
    Task SetFolderAttributesAsync(string path, DateTimeOffset modifiedAt, int mode, CancellationToken cancellationToken);

    /// <summary>Creates a symbolic link; only where <see cref="CanCreateLinks"/>.</summary>
    Task CreateLinkAsync(string path, string target, CancellationToken cancellationToken);

    /// <summary>Deletes a file or link; nothing when it is gone.</summary>
    Task DeleteFileAsync(string path, CancellationToken cancellationToken);

    /// <summary>Deletes a folder and everything under it; nothing when it is gone.</summary>
    Task DeleteFolderAsync(string path, CancellationToken cancellationToken);

    /// <summary>Renames a folder (the destination must not exist); only where <see cref="CanRenameFolders"/>.</summary>
    Task RenameFolderAsync(string path, string newPath, CancellationToken cancellationToken);
}
