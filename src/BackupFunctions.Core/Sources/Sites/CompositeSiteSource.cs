using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Sources.Sites;

/// <summary>
/// A site whose components live in different sources (<c>uploads</c> in a blob container, <c>themes</c> on the CMS
/// host): one <see cref="ISiteSource"/> per component, walked in the components' ordinal order, so the walk keeps the
/// order the contract promises and archive paths stay <c>&lt;component&gt;/&lt;path&gt;</c> whatever the source.
/// </summary>
public sealed class CompositeSiteSource : ISiteSource, IDisposable
{
    private readonly List<(string Component, ISiteSource Source)> _parts;

    /// <param name="parts">Each component with the source that holds it (a source for that component alone).</param>
    public CompositeSiteSource(IEnumerable<(string Component, ISiteSource Source)> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = [.. parts.OrderBy(p => p.Component, StringComparer.Ordinal)];
        Components = [.. _parts.Select(p => p.Component)];
    }

    public IReadOnlyList<string> Components { get; }

    public IEnumerable<SiteEntry> Walk(Action<FileChange> skipped)
    {
        foreach (var (_, source) in _parts)
        {
            foreach (var entry in source.Walk(skipped))
                yield return entry;
        }
    }

    public SiteFile? OpenFile(string path) => SourceOf(path)?.OpenFile(path);

    public string? ReadLink(string path) => SourceOf(path)?.ReadLink(path);

    public IEnumerable<LinkedComponent> ComponentsBelowLinks() => _parts.SelectMany(p => p.Source.ComponentsBelowLinks());

    public void Dispose()
    {
        foreach (var (_, source) in _parts)
            (source as IDisposable)?.Dispose();
    }

    private ISiteSource? SourceOf(string path) =>
        _parts.FirstOrDefault(p => path == p.Component || path.StartsWith(p.Component + "/", StringComparison.Ordinal)).Source;
}
