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
    public static Task<ArchiveResult> WriteAsync(
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
        var source = Sources.Sites.SiteSources.Local(siteRoot, components);
        var changes = new NoteList<FileChange>(FileChange.MaxListed, c => c.Shortened());
        var linked = new NoteList<LinkedComponent>(LinkedComponent.MaxListed, l => l.Shortened());
        foreach (var below in source.ComponentsBelowLinks())
            linked.Add(below);
        return WriteEntriesAsync(source, source.Walk(changes.Add).ToAsyncEnumerable(), volume, tarOutput, onEntry, progress, changes, linked, cancellationToken);
    }

    /// <summary>
    /// Writes the given entries of <paramref name="source"/> (one volume of a plan, in walk order) as a tar to
    /// <paramref name="tarOutput"/> (not disposed), handing each index entry to <paramref name="onEntry"/> as soon as
    /// it is in the tar. Folders are stored with the time and mode listed; links with their target and files with
    /// their length, time and mode as they are when opened. An entry that is gone, or changed type, since it was
    /// listed is skipped and reported in <see cref="ArchiveResult.ChangedFiles"/>.
    /// </summary>
    public static Task<ArchiveResult> WriteVolumeAsync(
        ISiteSource source,
        IAsyncEnumerable<SiteEntry> entries,
        string volume,
        Stream tarOutput,
        Func<FileIndexEntry, CancellationToken, ValueTask> onEntry,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrEmpty(volume);
        ArgumentNullException.ThrowIfNull(tarOutput);
        return WriteEntriesAsync(source, entries, volume, tarOutput, onEntry, progress,
            new NoteList<FileChange>(FileChange.MaxListed, c => c.Shortened()),
            new NoteList<LinkedComponent>(LinkedComponent.MaxListed, l => l.Shortened()),
            cancellationToken);
    }

    private static async Task<ArchiveResult> WriteEntriesAsync(
        ISiteSource source,
        IAsyncEnumerable<SiteEntry> entries,
        string volume,
        Stream tarOutput,
        Func<FileIndexEntry, CancellationToken, ValueTask> onEntry,
        IProgress<ArchiveProgress>? progress,
        NoteList<FileChange> changes,
        NoteList<LinkedComponent> linkedComponents,
        CancellationToken cancellationToken)
    {
        long files = 0, folders = 0, bytes = 0;
        // A component that is a link is stored as one like any link, but its content is not in the backup: the job says so.
        var componentNames = source.Components.ToHashSet(StringComparer.Ordinal);
        await using (var writer = new TarWriter(tarOutput, TarEntryFormat.Pax, leaveOpen: true))
        {
            await foreach (var item in entries.WithCancellation(cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (HasLineBreak(item.Path) || HasLineBreak(item.LinkTarget))
                {
                    changes.Add(new FileChange(item.Path, FileChange.UnreadableName));
                    continue;
                }

                var modifiedAt = item.ModifiedAt;
                switch (item.Type)
                {
                    case FileIndexEntry.DirectoryType:
                    {
                        var mode = ModeOf(item.Mode, DefaultDirectoryMode);
                        var tarEntry = new PaxTarEntry(TarEntryType.Directory, item.Path + "/") { Mode = mode, ModificationTime = modifiedAt };
                        await writer.WriteEntryAsync(tarEntry, cancellationToken);
                        await onEntry(new FileIndexEntry(item.Path, FileIndexEntry.DirectoryType, 0, modifiedAt, (int)mode, null, volume), cancellationToken);
                        if (item.Replaced)
                            changes.Add(new FileChange(item.Path, FileChange.Replaced));
                        folders++;
                        break;
                    }

                    case FileIndexEntry.SymbolicLinkType:
                    {
                        // Read again now: the plan may be older than this volume, and what is stored is what is there.
                        var target = source.ReadLink(item.Path);
                        if (target is null)
                        {
                            changes.Add(new FileChange(item.Path, FileChange.Skipped));
                            continue;
                        }
                        if (HasLineBreak(target))
                        {
                            changes.Add(new FileChange(item.Path, FileChange.UnreadableName));
                            continue;
                        }
                        var tarEntry = new PaxTarEntry(TarEntryType.SymbolicLink, item.Path)
                        {
                            LinkName = target,
                            Mode = DefaultDirectoryMode | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite,
                            ModificationTime = modifiedAt,
                        };
                        await writer.WriteEntryAsync(tarEntry, cancellationToken);
                        await onEntry(new FileIndexEntry(item.Path, FileIndexEntry.SymbolicLinkType, 0, modifiedAt, (int)tarEntry.Mode, null, volume)
                        {
                            LinkTarget = target,
                        }, cancellationToken);
                        if (componentNames.Contains(item.Path))
                            linkedComponents.Add(new LinkedComponent(item.Path, target));
                        files++;
                        break;
                    }

                    default:
                    {
                        using var file = source.OpenFile(item.Path);
                        if (file is null)
                        {
                            changes.Add(new FileChange(item.Path, FileChange.Skipped)); // now a link or a folder, or gone
                            continue;
                        }
                        var replaced = item.Identity is not null && file.Identity is not null && item.Identity != file.Identity;
                        var mode = ModeOf(file.Mode, DefaultFileMode);
                        var (size, sha256, change) = await WriteFileAsync(writer, item.Path, file, replaced, mode, cancellationToken);
                        await onEntry(new FileIndexEntry(item.Path, FileIndexEntry.FileType, size, file.ModifiedAt, (int)mode, sha256, volume), cancellationToken);
                        if (change is not null)
                            changes.Add(new FileChange(item.Path, change));
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
    /// A name or link target that the tar reader of every restore would refuse (<see cref="FileChange.UnreadableName"/>):
    /// such an entry is left out, so that one planted name cannot make the whole backup unrestorable.
    /// </summary>
    private static bool HasLineBreak(string? text) => text is not null && text.Contains('\n', StringComparison.Ordinal);

    /// <returns>The bytes stored, their SHA-256, and how the file changed while it was read (null: it did not).</returns>
    private static async Task<(long Size, string Sha256, string? Change)> WriteFileAsync(
        TarWriter writer, string name, SiteFile file, bool replaced, UnixFileMode mode, CancellationToken cancellationToken)
    {
        // TarWriter writes the length into the header before the content, so it is fixed here: the length at open.
        await using var content = new HashingReadStream(file.OpenRead(), file.Length, name);
        var tarEntry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = mode,
            ModificationTime = file.ModifiedAt,
            DataStream = content,
        };
        await writer.WriteEntryAsync(tarEntry, cancellationToken);

        var (length, modifiedAt) = file.CurrentState();
        var change = content.Shrank || length < file.Length ? FileChange.Shrank
            : length > file.Length ? FileChange.Grew
            : modifiedAt != file.ModifiedAt ? FileChange.Modified
            : replaced ? FileChange.Replaced
            : null;
        return (content.Length, Convert.ToHexStringLower(content.GetHash()), change);
    }

    private static UnixFileMode ModeOf(int mode, UnixFileMode windowsDefault) =>
        OperatingSystem.IsWindows() ? windowsDefault : (UnixFileMode)mode;
}
