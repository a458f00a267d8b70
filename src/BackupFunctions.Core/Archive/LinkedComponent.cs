namespace BackupFunctions.Core.Archive;

/// <summary>
/// A component of a site (e.g. <c>uploads</c>) that is itself a symbolic link, say to a mounted volume. The backup
/// stores it as a link, as it stores every link, never following it: the content it points to is not in the backup
/// (unless another component holds it). Not an error — the job still completes — but named in the job's log and
/// result, because an operator who lists <c>uploads</c> expects the uploads. A component below a folder that is a link
/// (<c>wp-content/uploads</c> with <c>wp-content</c> linked elsewhere) is named too: nothing of it is in the backup.
/// </summary>
/// <param name="Component">'/'-separated path relative to the site root, as in the file index.</param>
/// <param name="Target">The link's target, as stored; below a folder that is a link, that link's target followed by
/// the rest of the component's path.</param>
public sealed record LinkedComponent(string Component, string Target)
{
    /// <summary>How many are listed (the list travels through orchestration history and into the job row); all are counted.</summary>
    public const int MaxListed = 20;

    /// <summary>
    /// Longer paths and targets are cut to this many characters (plus '…'): the whole list then fits one catalog column
    /// (<see cref="Catalog.CatalogRows.MaxColumnChars"/>) whatever the site holds.
    /// </summary>
    public const int MaxChars = 500;

    /// <summary>As listed in a job: component and target cut to <see cref="MaxChars"/>.</summary>
    internal LinkedComponent Shortened() => new(NoteText.Cut(Component, MaxChars), NoteText.Cut(Target, MaxChars));
}
