using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Where the backups an incremental references live: in the same destination, beside it, at
/// <c>&lt;prefix&gt;/backups/&lt;referencedId&gt;/</c> (docs/format.md, "Incremental backups").
/// </summary>
public static class ChainFolders
{
    /// <summary>
    /// The folder of backup <paramref name="referencedId"/> beside the backup folder <paramref name="folder"/> (which
    /// ends with '/').
    /// </summary>
    /// <exception cref="ArgumentException">The id is not a plain backup id (it becomes a folder name), or the folder is not a backup's.</exception>
    public static string Beside(string folder, string referencedId)
    {
        ArgumentNullException.ThrowIfNull(folder);
        if (!ManifestReferences.IsPlainBackupId(referencedId))
            throw new ArgumentException($"'{referencedId}' is not a plain backup id.", nameof(referencedId));
        if (!folder.EndsWith('/') || folder.Length < 2)
            throw new ArgumentException($"'{folder}' is not a backup folder (it ends with '/').", nameof(folder));
        var parent = folder[..(folder.LastIndexOf('/', folder.Length - 2) + 1)];
        return parent + referencedId + "/";
    }
}
