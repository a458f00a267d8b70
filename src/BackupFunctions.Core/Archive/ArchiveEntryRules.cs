using System.Formats.Tar;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// The rules for the entries of file volumes that need no disk, applied by every reader of a volume: the restore,
/// which writes the entries (<see cref="SiteExtraction"/>), and deep verification, which only reads them
/// (<c>ArchiveVerifier</c>) — so that a backup that verifies restores, and one the restore would refuse fails
/// verification. One instance per backup: it remembers the symbolic links of every volume read so far.
/// </summary>
/// <remarks>
/// <para>
/// Refused (<see cref="IntegrityException"/> naming the volume and the entry): entries other than folders, regular files
/// and symbolic links (hard links, devices, FIFOs…); names that are not a plain relative path (absolute, "." / ".." or
/// empty segments, NUL); entries below a symbolic link of the archive (nothing is ever written through a link); a
/// second entry where a link was; a link whose target differs from the index, is empty or holds a NUL.
/// </para>
/// <para>
/// Not refused: a link whose target is absolute or leads out of the site. The site had it when it was backed up, and
/// restoring it as it was (as tar, restic and borg do) writes nothing through it. <see cref="OutsideLinks"/> names
/// them after the last volume.
/// </para>
/// </remarks>
internal sealed class ArchiveEntryRules
{
    /// <summary>As Linux's limit on links followed in one lookup (MAXSYMLINKS).</summary>
    private const int MaxLinkHops = 40;

    /// <summary>Every symbolic link so far, in archive order; Written is false for those a restore's filter skipped.</summary>
    private readonly Dictionary<string, (string Target, string Volume, bool Written)> _links = new(StringComparer.Ordinal);

    /// <summary>Symbolic links remembered (one small record each: a site has far fewer links than files).</summary>
    public int Links => _links.Count;

    /// <summary>The links to create, in archive order: name, target and the volume they came from.</summary>
    public IEnumerable<(string Name, string Target, string Volume)> WrittenLinks =>
        _links.Where(l => l.Value.Written).Select(l => (l.Key, l.Value.Target, l.Value.Volume));

    /// <summary>
    /// The entry's '/'-separated name (folders without their trailing '/') and its <see cref="FileIndexEntry"/> type,
    /// once its kind, its name and its place (not below or on an earlier link) are allowed.
    /// </summary>
    public (string Name, string Type) Check(TarEntry entry, string volumeName)
    {
        var (name, type) = entry.EntryType switch
        {
            TarEntryType.Directory => (entry.Name.TrimEnd('/'), FileIndexEntry.DirectoryType),
            TarEntryType.RegularFile or TarEntryType.V7RegularFile => (entry.Name, FileIndexEntry.FileType),
            TarEntryType.SymbolicLink => (entry.Name, FileIndexEntry.SymbolicLinkType),
            _ => throw new IntegrityException(volumeName, $"{entry.Name}: {entry.EntryType} entries are not allowed"),
        };

        if (!IsPlainRelative(name))
            throw new IntegrityException(volumeName, $"{entry.Name}: unsafe path (absolute, '..' or outside the target)");
        if (LinkAbove(name) is { } link)
            throw new IntegrityException(volumeName, $"{name}: lies below the symbolic link {link}");
        if (_links.ContainsKey(name))
            throw new IntegrityException(volumeName, $"{name}: appears twice in the archives");
        return (name, type);
    }

    /// <summary>
    /// Checks a symbolic link entry (already passed by <see cref="Check"/>) against its index entry and remembers it.
    /// </summary>
    /// <param name="written">False when a restore's filter skips the link: it is checked all the same, and still no entry may lie below it.</param>
    public void AddLink(string name, string target, FileIndexEntry indexed, string volumeName, bool written)
    {
        ArgumentNullException.ThrowIfNull(indexed);
        if (indexed.LinkTarget is not null && indexed.LinkTarget != target)
            throw new IntegrityException(volumeName, $"{name}: symbolic link target differs from the index");
        if (string.IsNullOrEmpty(target))
            throw new IntegrityException(volumeName, $"{name}: symbolic link target is empty");
        if (target.Contains('\0', StringComparison.Ordinal))
            throw new IntegrityException(volumeName, $"{name}: symbolic link target contains a NUL character");
        _links.Add(name, (target, volumeName, written));
    }

    /// <summary>
    /// After the last volume: the written links whose target is absolute, climbs out of the site or does not resolve,
    /// the first <see cref="OutsideLink.MaxListed"/> in archive order, and how many there are.
    /// </summary>
    public (IReadOnlyList<OutsideLink> Listed, long Count) OutsideLinks()
    {
        var outside = new NoteList<OutsideLink>(OutsideLink.MaxListed);
        foreach (var (name, (target, _, written)) in _links)
        {
            if (written && ReasonFor(name, target) is { } reason)
                outside.Add(new OutsideLink(name, target, reason));
        }

        return (outside.Listed, outside.Count);
    }

    /// <summary>
    /// The name <see cref="Check"/> would give <paramref name="entry"/> (a folder's trailing '/' removed), without its
    /// checks: to match a referenced volume's tar entries against the few the index lists, the rest being read past.
    /// </summary>
    public static string LooseName(TarEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.EntryType == TarEntryType.Directory ? entry.Name.TrimEnd('/') : entry.Name;
    }

    /// <summary>A non-empty '/'-separated path without absolute start, NUL, or empty, "." and ".." segments.</summary>
    public static bool IsPlainRelative(string name)
    {
        if (name.Length == 0 || IsRooted(name) || name.Contains('\0', StringComparison.Ordinal))
            return false;
        foreach (var segment in name.Split('/'))
        {
            if (segment is "" or "." or "..")
                return false;
            if (OperatingSystem.IsWindows() && segment.AsSpan().IndexOfAny('\\', ':') >= 0)
                return false;
        }

        return true;
    }

    private string? LinkAbove(string name)
    {
        for (var slash = name.IndexOf('/', StringComparison.Ordinal); slash > 0; slash = name.IndexOf('/', slash + 1))
        {
            if (_links.ContainsKey(name[..slash]))
                return name[..slash];
        }

        return null;
    }

    /// <summary>
    /// Resolves a link target the way the kernel will, through the other written links of the site (the archive alone
    /// decides: they are all inside it), and says why it does not stay inside, or null when it does. A purely textual
    /// check would miss e.g. <c>a -&gt; b/..</c> with <c>b -&gt; .</c>.
    /// </summary>
    private string? ReasonFor(string linkName, string target)
    {
        if (IsRooted(target))
            return OutsideLink.Absolute;
        var resolved = linkName.Split('/').SkipLast(1).ToList();
        var pending = new Stack<string>(target.Split('/').Reverse());
        var hops = 0;
        while (pending.TryPop(out var segment))
        {
            if (segment is "" or ".")
                continue;
            if (segment == "..")
            {
                if (resolved.Count == 0)
                    return OutsideLink.Outside;
                resolved.RemoveAt(resolved.Count - 1);
                continue;
            }

            resolved.Add(segment);
            if (_links.TryGetValue(string.Join('/', resolved), out var next) && next.Written)
            {
                if (++hops > MaxLinkHops)
                    return OutsideLink.Loop;
                if (IsRooted(next.Target))
                    return OutsideLink.Outside;
                resolved.RemoveAt(resolved.Count - 1);
                foreach (var part in next.Target.Split('/').Reverse())
                    pending.Push(part);
            }
        }

        return null;
    }

    private static bool IsRooted(string path) => path.StartsWith('/') || path.StartsWith('\\') || Path.IsPathRooted(path);
}
