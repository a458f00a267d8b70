using System.Formats.Tar;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Writes a CMS site's components (uploads, themes, plugins, config — folders under the site root) as a PAX tar
/// stream, one file at a time, hashing each file as it streams. Symbolic links are stored as links, never followed.
/// </summary>
/// <remarks>
/// Order is deterministic: components in ordinal order, each depth-first with a folder before its content and
/// siblings in ordinal order. A component may also be a single file or link; missing components are skipped, and so
/// are FIFOs, sockets and devices. <see cref="ArchiveResult.Files"/> and <see cref="SiteScan.Files"/> count every
/// non-folder entry (files and symbolic links).
/// </remarks>
public static class SiteArchiver
{
    private const UnixFileMode DefaultFileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode DefaultDirectoryMode =
        DefaultFileMode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>Counts files, folders and bytes of the components (missing components are skipped).</summary>
    public static SiteScan Scan(string siteRoot, IReadOnlyList<string> components)
    {
        long files = 0, folders = 0, bytes = 0;
        foreach (var entry in SiteWalker.Walk(siteRoot, components))
        {
            switch (entry.Kind)
            {
                case SiteWalker.Kind.Directory:
                    folders++;
                    break;
                case SiteWalker.Kind.File:
                    files++;
                    bytes += entry.Size;
                    break;
                default:
                    files++;
                    break;
            }
        }

        return new SiteScan(files, folders, bytes);
    }

    /// <summary>
    /// Writes the tar to <paramref name="tarOutput"/> (not disposed). Entry names are '/'-separated paths relative to
    /// the site root, e.g. <c>uploads/2024/photo.jpg</c>. <paramref name="volume"/> is recorded in each index entry.
    /// A file that changes while it is read does not fail the archive: see <see cref="ArchiveResult.ChangedFiles"/>.
    /// </summary>
    public static async Task<ArchiveResult> WriteAsync(
        string siteRoot,
        IReadOnlyList<string> components,
        string volume,
        Stream tarOutput,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        var entries = new List<FileIndexEntry>();
        var result = await WriteAsync(siteRoot, components, volume, tarOutput, (entry, _) =>
        {
            entries.Add(entry);
            return ValueTask.CompletedTask;
        }, progress, cancellationToken);
        return result with { Entries = entries };
    }

    /// <summary>
    /// As above, but hands each index entry to <paramref name="onEntry"/> as soon as its file is in the tar, instead of
    /// collecting them: memory then stays flat however many files the site has (the result's Entries is empty).
    /// </summary>
    /// <remarks>
    /// A file is archived at the length it had when it was opened (fstat of the open handle), whatever happens to it
    /// while it is read: if it grows, the rest is left out; if it shrinks, the missing end is written as zero bytes.
    /// Either way its index entry (size, SHA-256) describes exactly the bytes stored, so a restore verifies. Such
    /// files, and entries that were replaced or vanished between the listing and the open, are reported in
    /// <see cref="ArchiveResult.ChangedFiles"/>.
    /// </remarks>
    public static async Task<ArchiveResult> WriteAsync(
        string siteRoot,
        IReadOnlyList<string> components,
        string volume,
        Stream tarOutput,
        Func<FileIndexEntry, CancellationToken, ValueTask> onEntry,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volume);
        ArgumentNullException.ThrowIfNull(tarOutput);

        long files = 0, folders = 0, bytes = 0;
        var changes = new NoteList<FileChange>(FileChange.MaxListed, c => c.Shortened());
        // A component that is a link is stored as one like any link, but its content is not in the backup: the job says so.
        var componentNames = SiteWalker.NormalizeComponents(components).ToHashSet(StringComparer.Ordinal);
        var linkedComponents = new NoteList<LinkedComponent>(LinkedComponent.MaxListed, l => l.Shortened());
        foreach (var below in ComponentsBelowLinks(siteRoot, componentNames.Order(StringComparer.Ordinal)))
            linkedComponents.Add(below);
        await using (var writer = new TarWriter(tarOutput, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var item in SiteWalker.Walk(siteRoot, components, openFiles: true, changes.Add))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (HasLineBreak(item.Name) || HasLineBreak(item.LinkTarget))
                {
                    item.Content?.Dispose();
                    changes.Add(new FileChange(item.Name, FileChange.UnreadableName));
                    continue;
                }

                var modifiedAt = item.ModifiedAt;
                switch (item.Kind)
                {
                    case SiteWalker.Kind.Directory:
                    {
                        var mode = ModeOf(item, DefaultDirectoryMode);
                        var tarEntry = new PaxTarEntry(TarEntryType.Directory, item.Name + "/") { Mode = mode, ModificationTime = modifiedAt };
                        await writer.WriteEntryAsync(tarEntry, cancellationToken);
                        await onEntry(new FileIndexEntry(item.Name, FileIndexEntry.DirectoryType, 0, modifiedAt, (int)mode, null, volume), cancellationToken);
                        if (item.Replaced)
                            changes.Add(new FileChange(item.Name, FileChange.Replaced));
                        folders++;
                        break;
                    }

                    case SiteWalker.Kind.SymbolicLink:
                    {
                        var target = item.LinkTarget!;
                        var tarEntry = new PaxTarEntry(TarEntryType.SymbolicLink, item.Name)
                        {
                            LinkName = target,
                            Mode = DefaultDirectoryMode | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite,
                            ModificationTime = modifiedAt,
                        };
                        await writer.WriteEntryAsync(tarEntry, cancellationToken);
                        await onEntry(new FileIndexEntry(item.Name, FileIndexEntry.SymbolicLinkType, 0, modifiedAt, (int)tarEntry.Mode, null, volume)
                        {
                            LinkTarget = target,
                        }, cancellationToken);
                        if (componentNames.Contains(item.Name))
                            linkedComponents.Add(new LinkedComponent(item.Name, target));
                        files++;
                        break;
                    }

                    default:
                    {
                        var mode = ModeOf(item, DefaultFileMode);
                        var (size, sha256, change) = await WriteFileAsync(writer, item, mode, cancellationToken);
                        await onEntry(new FileIndexEntry(item.Name, FileIndexEntry.FileType, size, modifiedAt, (int)mode, sha256, volume), cancellationToken);
                        if (change is not null)
                            changes.Add(new FileChange(item.Name, change));
                        files++;
                        bytes += size;
                        break;
                    }
                }

                progress?.Report(new ArchiveProgress(files, bytes));
            }
        }

        return new ArchiveResult([], files, folders, bytes)
        {
            ChangedFiles = changes.Listed,
            ChangedFileCount = changes.Count,
            LinkedComponents = linkedComponents.Listed,
            LinkedComponentCount = linkedComponents.Count,
        };
    }

    /// <summary>
    /// The components below a folder of the site that is a link ("wp-content/uploads" with "wp-content" linked to a
    /// volume): the walk never follows the link, so nothing of such a component is in the backup, not even a link, and
    /// the job must say so as for a component that is a link. Looked up with lstat for this note only: nothing is read
    /// through the link, and a link swapped in after this look is still not followed by the walk.
    /// </summary>
    private static IEnumerable<LinkedComponent> ComponentsBelowLinks(string siteRoot, IEnumerable<string> components)
    {
        foreach (var component in components)
        {
            var segments = component.Split('/');
            for (var depth = 1; depth < segments.Length; depth++)
            {
                var above = new FileInfo(Path.Combine(siteRoot, string.Join('/', segments[..depth])));
                if (above.LinkTarget is { } target)
                {
                    yield return new LinkedComponent(component, target.TrimEnd('/') + "/" + string.Join('/', segments[depth..]));
                    break;
                }
            }
        }
    }

    /// <summary>
    /// A name or link target that the tar reader of every restore would refuse (<see cref="FileChange.UnreadableName"/>):
    /// such an entry is left out, so that one planted name cannot make the whole backup unrestorable.
    /// </summary>
    private static bool HasLineBreak(string? text) => text is not null && text.Contains('\n', StringComparison.Ordinal);

    /// <returns>The bytes stored, their SHA-256, and how the file changed while it was read (null: it did not).</returns>
    private static async Task<(long Size, string Sha256, string? Change)> WriteFileAsync(
        TarWriter writer, SiteWalker.Entry item, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var handle = item.Content!;
        // TarWriter writes the length into the header before the content, so it is fixed here: the length at open.
        await using var content = new HashingReadStream(new FileStream(handle, FileAccess.Read), item.Size, item.Name);
        var tarEntry = new PaxTarEntry(TarEntryType.RegularFile, item.Name)
        {
            Mode = mode,
            ModificationTime = item.ModifiedAt,
            DataStream = content,
        };
        await writer.WriteEntryAsync(tarEntry, cancellationToken);

        var now = SiteWalker.StateOf(handle);
        var change = content.Shrank || now.Length < item.Size ? FileChange.Shrank
            : now.Length > item.Size ? FileChange.Grew
            : now.ModifiedAt != item.ModifiedAt ? FileChange.Modified
            : item.Replaced ? FileChange.Replaced
            : null;
        return (content.Length, Convert.ToHexStringLower(content.GetHash()), change);
    }

    private static UnixFileMode ModeOf(SiteWalker.Entry item, UnixFileMode windowsDefault) =>
        OperatingSystem.IsWindows() ? windowsDefault : item.Mode;
}
