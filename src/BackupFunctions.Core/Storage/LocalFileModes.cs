namespace BackupFunctions.Core.Storage;

/// <summary>
/// Which <c>fileMode</c> / <c>folderMode</c> a local destination may have: the owner (the app) must be able to use
/// what it writes, and other users get nothing — the files are a site's data and its database. Group bits are the
/// operator's way to share a folder with a backup-reading group (0640 / 0750). Checked when a location is posted and
/// when the factory opens its folder.
/// </summary>
internal static class LocalFileModes
{
    private const UnixFileMode Others = UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerFolder = OwnerFile | UnixFileMode.UserExecute;
    private const UnixFileMode Special = UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit;

    /// <summary>Null when <paramref name="mode"/> may be used; else what is wrong.</summary>
    public static string? Problem(UnixFileMode mode, bool folder)
    {
        if ((mode & Others) != 0)
            return "must give other users no access (the last octal digit 0, e.g. 0600 or 0640 for files, 0700 or 0750 for folders): backups hold the site's data and database";
        if ((mode & Special) != 0)
            return "must not set setuid, setgid or sticky bits";
        var owner = folder ? OwnerFolder : OwnerFile;
        if ((mode & owner) != owner)
            return folder ? "must let the owner read, write and enter the folder (7 as the first digit, e.g. 0700)" : "must let the owner read and write (6 or 7 as the first digit, e.g. 0600)";
        return null;
    }
}
