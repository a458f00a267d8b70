using Microsoft.Win32.SafeHandles;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// A site in a local folder, read through <see cref="SiteWalker"/>: on Linux and macOS nothing below the root is looked
/// up through a link (see <see cref="HandleSiteWalk"/>), for the walk and for each file opened afterwards.
/// </summary>
public sealed class LocalSiteSource : ISiteSource
{
    private readonly string _root;

    /// <param name="root">The site root, already confined by the caller (links in it are the operator's choice).</param>
    /// <exception cref="ArgumentException">A component is not a relative path inside the root.</exception>
    public LocalSiteSource(string root, IReadOnlyList<string> components)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(components);
        _root = Path.GetFullPath(root);
        Components = SiteWalker.NormalizeComponents(components);
    }

    public IReadOnlyList<string> Components { get; }

    public IEnumerable<SiteEntry> Walk(Action<FileChange> skipped)
    {
        if (!Directory.Exists(_root))
            throw new DirectoryNotFoundException($"The site root '{_root}' does not exist.");
        foreach (var item in SiteWalker.Walk(_root, Components, openFiles: false, skipped))
        {
            yield return new SiteEntry(item.Name, TypeOf(item.Kind), item.Size, item.ModifiedAt, (int)item.Mode)
            {
                LinkTarget = item.LinkTarget,
                Identity = item.Identity,
                Replaced = item.Replaced,
            };
        }
    }

    public SiteFile? OpenFile(string path)
    {
        var opened = SiteWalker.OpenFile(_root, path);
        return opened is null ? null : new LocalSiteFile(opened);
    }

    public string? ReadLink(string path) => SiteWalker.ReadLink(_root, path);

    /// <remarks>
    /// Looked up with lstat for this note only: nothing is read through the link, and a link swapped in after this
    /// look is still not followed by the walk.
    /// </remarks>
    public IEnumerable<LinkedComponent> ComponentsBelowLinks()
    {
        foreach (var component in Components)
        {
            var segments = component.Split('/');
            for (var depth = 1; depth < segments.Length; depth++)
            {
                var above = new FileInfo(Path.Combine(_root, string.Join('/', segments[..depth])));
                if (above.LinkTarget is { } target)
                {
                    yield return new LinkedComponent(component, target.TrimEnd('/') + "/" + string.Join('/', segments[depth..]));
                    break;
                }
            }
        }
    }

    private static string TypeOf(SiteWalker.Kind kind) => kind switch
    {
        SiteWalker.Kind.Directory => FileIndexEntry.DirectoryType,
        SiteWalker.Kind.SymbolicLink => FileIndexEntry.SymbolicLinkType,
        _ => FileIndexEntry.FileType,
    };

    private sealed class LocalSiteFile(SiteWalker.Entry opened)
        : SiteFile(opened.Size, opened.ModifiedAt, (int)opened.Mode, opened.Identity)
    {
        private readonly SafeFileHandle _handle = opened.Content!;

        public override Stream OpenRead() => new FileStream(_handle, FileAccess.Read);

        public override (long Length, DateTimeOffset ModifiedAt) CurrentState()
        {
            var state = SiteWalker.StateOf(_handle);
            return (state.Length, state.ModifiedAt);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _handle.Dispose();
            base.Dispose(disposing);
        }
    }
}
