using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Finds, among the index entries of one archive as it is written, the components that are symbolic links: the
/// archiver writes each component as one run (its root first, then what lies below it), so an entry that is not below
/// the current run's root starts the next component, and a link there is a component that is a link.
/// </summary>
internal sealed class LinkedComponentLog
{
    private readonly List<LinkedComponent> _listed = [];
    private string? _component;

    public IReadOnlyList<LinkedComponent> Listed => _listed;

    public long Count { get; private set; }

    public void Observe(FileIndexEntry entry)
    {
        if (_component is not null && FileIndexCursor.IsBelow(entry.Path, _component))
            return;
        _component = entry.Path;
        if (entry.Type != FileIndexEntry.SymbolicLinkType)
            return;
        Count++;
        if (_listed.Count < LinkedComponent.MaxListed)
            _listed.Add(new LinkedComponent(Cut(entry.Path), Cut(entry.LinkTarget ?? "")));
    }

    private static string Cut(string text)
    {
        if (text.Length <= LinkedComponent.MaxChars)
            return text;
        var length = char.IsHighSurrogate(text[LinkedComponent.MaxChars - 1]) ? LinkedComponent.MaxChars - 1 : LinkedComponent.MaxChars;
        return text[..length] + "…";
    }
}
