namespace BackupFunctions.Core.Archive;

/// <summary>
/// Notes of one kind about a backup or a restore (files that changed while archived, components that are links, links
/// that leave the restored folder): every one is counted, the first <c>maxListed</c> are kept. A site may produce
/// thousands; the list travels through orchestration history, into a job row or onto a terminal, so it stays small.
/// </summary>
/// <param name="shorten">Applied to each kept note, e.g. to cut long paths (<see cref="NoteText.Cut"/>) so that the list fits one catalog column.</param>
internal sealed class NoteList<T>(int maxListed, Func<T, T>? shorten = null)
{
    private readonly List<T> _listed = [];

    public IReadOnlyList<T> Listed => _listed;

    public long Count { get; private set; }

    public void Add(T note)
    {
        Count++;
        if (_listed.Count < maxListed)
            _listed.Add(shorten is null ? note : shorten(note));
    }
}
