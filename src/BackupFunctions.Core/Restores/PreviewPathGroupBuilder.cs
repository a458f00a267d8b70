namespace BackupFunctions.Core.Restores;

/// <summary>Counts a group and keeps only its first paths, so a preview's memory does not grow with the site.</summary>
internal sealed class PreviewPathGroupBuilder
{
    private readonly List<string> _paths = [];
    private long _count;
    private long _bytes;

    public void Add(string path, long bytes)
    {
        _count++;
        _bytes += bytes;
        if (_paths.Count < PreviewPathGroup.MaxListed)
            _paths.Add(path);
    }

    public PreviewPathGroup Build() => new(_count, _bytes, _paths);
}
