namespace BackupFunctions.Core.Archive;

/// <summary>
/// A site entry that changed while the backup archived it, or could not be stored as it is. None of these fails the
/// backup (a live CMS writes while it is backed up, and anyone who can upload can pick a name); each is named in the job's log and result so that nobody mistakes the copy for a frozen snapshot.
/// </summary>
/// <param name="Path">'/'-separated path relative to the site root, as in the file index.</param>
/// <param name="Change">One of the constants below.</param>
public sealed record FileChange(string Path, string Change)
{
    /// <summary>Longer than it was when opened: archived up to the length it had then.</summary>
    public const string Grew = "grew";

    /// <summary>Shorter than it was when opened: archived at the length it had then, the missing end as zero bytes.</summary>
    public const string Shrank = "shrank";

    /// <summary>Same length, but written to while it was read: the archive may mix old and new content.</summary>
    public const string Modified = "modified";

    /// <summary>The name held another file or folder than the listing saw (e.g. replaced by a rename): what was opened is archived.</summary>
    public const string Replaced = "replaced";

    /// <summary>Listed, then gone or turned into something else (e.g. a symbolic link) before it was opened: not in the backup.</summary>
    public const string Skipped = "skipped";

    /// <summary>
    /// Its name or link target holds a line break: left out, because .NET's tar reader, which every restore and
    /// verification uses, splits PAX records at line breaks and would refuse the whole volume (POSIX allows the break;
    /// the reader does not).
    /// </summary>
    public const string UnreadableName = "unreadableName";

    /// <summary>How many are listed (the list travels through orchestration history and into the job row); all are counted.</summary>
    public const int MaxListed = 20;

    /// <summary>Longer paths are cut to this many characters (plus '…'), so that the whole list fits one catalog column.</summary>
    public const int MaxPathChars = 1000;

    /// <summary>As listed in a job: the path cut to <see cref="MaxPathChars"/>.</summary>
    internal FileChange Shortened() => this with { Path = NoteText.Cut(Path, MaxPathChars) };
}
