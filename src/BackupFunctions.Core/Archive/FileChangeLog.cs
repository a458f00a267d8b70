namespace BackupFunctions.Core.Archive;

/// <summary>
/// Collects the <see cref="FileChange"/>s of one archive: every one is counted, the first <see cref="MaxListed"/> are
/// kept. A busy site may change thousands of files during a backup; the list travels through orchestration history
/// and into a job row, so it stays small, and each path is cut to <see cref="MaxPathChars"/>.
/// </summary>
internal sealed class FileChangeLog
{
    public const int MaxListed = 20;
    public const int MaxPathChars = 1000;

    private readonly List<FileChange> _listed = [];

    public IReadOnlyList<FileChange> Listed => _listed;
    public long Count { get; private set; }

    public void Add(FileChange change)
    {
        Count++;
        if (_listed.Count < MaxListed)
            _listed.Add(change.Path.Length <= MaxPathChars ? change : change with { Path = Cut(change.Path) });
    }

    private static string Cut(string path)
    {
        var length = char.IsHighSurrogate(path[MaxPathChars - 1]) ? MaxPathChars - 1 : MaxPathChars;
        return path[..length] + "…";
    }
}
