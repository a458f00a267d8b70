using System.Formats.Tar;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// <see cref="InPlaceFileRestore"/>'s steps for a site that is not a local folder, written through an
/// <see cref="ISiteTarget"/>: <see cref="StageAsync(BackupVolumes, IProgress{ArchiveProgress}?, CancellationToken)"/> → <see cref="SwapAsync"/> →
/// <see cref="VerifyAsync"/> → <see cref="CompleteAsync"/>, or <see cref="RollbackAsync"/>. Every step is idempotent and
/// may run on a fresh instance: the job's state (journal, list of written entries, staged components) lives in the
/// target, in <c>.bf-restore-&lt;job&gt;/</c> beside the live components, never in this object.
/// </summary>
/// <remarks>
/// <para>
/// Staging is the same on every target: each touched component is built in <c>.bf-restore-&lt;job&gt;/ready/&lt;component&gt;</c>
/// straight from the backup's tar (decrypted and decompressed on the fly; every file's size and SHA-256 checked against
/// the index while it is written, a mismatch fails the write and removes the staging). Whole components with overwrite:
/// the staged component is the backup's; otherwise it is a copy of the live component (streamed through the app) with the
/// selected entries put in. Nothing live changes while staging.
/// </para>
/// <para>
/// Where <see cref="ISiteTarget.CanRenameFolders"/> (SFTP, Azure Files), the swap renames <c>&lt;component&gt;</c> to
/// <c>&lt;component&gt;.replaced-&lt;job&gt;</c> and the staged one into its place, with the journal written before and
/// after each rename as the local restore does: each component changes in one server-side rename, and a rollback renames
/// the set-aside one back. Where it cannot (Blob has no folders), the swap copies the staged files over the live ones
/// (each blob replaced whole, one upload) and, for whole components with overwrite, deletes the live blobs the backup
/// does not have: the component is in between while this runs, and <see cref="RollbackAsync"/> cannot put the old files
/// back once the swap began (it returns false) — the way back is the pre-restore backup the restore job takes before
/// any step (<see cref="RestoreJobPlan.TakePreRestoreBackup"/>), restored in turn.
/// </para>
/// <para>
/// Restored folders get the backup's time and mode where the target keeps them (<see cref="ISiteTarget.SetFolderAttributesAsync"/>:
/// SFTP both, Azure Files the time, Blob has no folders), once everything inside them is staged. Links are not restored
/// on targets without them (<see cref="ISiteTarget.CanCreateLinks"/> false: counted as skipped). Volumes are staged one
/// after the other.
/// </para>
/// </remarks>
public sealed class RemoteInPlaceFileRestore
{
    private const string StagingPrefix = RestoreLeftover.StagingPrefix;
    private const string SetAsideInfix = RestoreLeftover.SetAsideInfix;
    private const string JournalName = "journal.json";
    private const string ListName = "restored.list";
    private const string ReadyName = "ready";
    private const int PrivateMode = 0b110_000_000;

    /// <summary>The journal is the service's own small file; a larger one is not ours.</summary>
    private const int MaxJournalBytes = 1024 * 1024;

    private static readonly JsonSerializerOptions JournalJson = new(JsonSerializerDefaults.Web);

    private readonly ISiteTarget _target;
    private readonly string _jobId;
    private readonly bool _overwrite;
    private readonly RestoreSelection? _items;
    private readonly HashSet<string>? _components;

    /// <summary>Checks the request (it may come from the API); touches nothing. <see cref="InPlaceRestoreRequest.SiteRoot"/> is not used: the target is the site.</summary>
    /// <exception cref="ArgumentException">A job id, item or component that is not allowed; the message says which.</exception>
    public RemoteInPlaceFileRestore(ISiteTarget target, string jobId, bool overwriteExisting = true, IReadOnlyList<string>? items = null, IReadOnlyList<string>? components = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (jobId is null || !RestoreLeftover.IsJobId(jobId))
            throw new ArgumentException("The restore job id must be 1 to 64 letters, digits, '-' or '_'.", nameof(jobId));
        if (components is not null)
        {
            foreach (var component in components)
            {
                if (SiteRoots.ComponentProblem(component) is { } problem)
                    throw new ArgumentException($"components: {problem}", nameof(components));
            }
            _components = components.ToHashSet(StringComparer.Ordinal);
        }

        _items = items is { Count: > 0 } ? RestoreSelection.Parse(items) : null;
        _target = target;
        _jobId = jobId;
        _overwrite = overwriteExisting;
    }

    /// <summary>The job's staging folder, relative to the target's root.</summary>
    public string JobFolder => StagingPrefix + _jobId;

    /// <summary>Tests only: called after each component is swapped, to inject a failure between two components.</summary>
    internal Func<string, Task>? AfterComponentSwapped { get; set; }

    private bool WholeComponents => _overwrite && _items is null;

    private string ReadyPath(string path) => JobFolder + "/" + ReadyName + "/" + path;

    private string SetAsidePath(string component) => component + SetAsideInfix + _jobId;

    private string JournalPath => JobFolder + "/" + JournalName;

    /// <summary>One volume's tar and its entries of the index.</summary>
    private delegate Task VolumeStage(IndexGroup group, Stream tar, IAsyncEnumerable<FileIndexEntry> index, CancellationToken cancellationToken);

    /// <summary>Step 1 for one volume (its tar read to the end, the index in step). A retry after a finished stage returns its counts.</summary>
    /// <exception cref="IntegrityException">The volume or index is damaged, or a path is unsafe (nothing live was touched; the staging is removed).</exception>
    /// <param name="progress">Files and links written into staging so far, and their bytes, after each one (null: not reported).</param>
    public Task<InPlaceRestoreCounts> StageAsync(
        Stream tarInput, string volumeName, IAsyncEnumerable<FileIndexEntry> index, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tarInput);
        ArgumentException.ThrowIfNullOrEmpty(volumeName);
        ArgumentNullException.ThrowIfNull(index);
        var group = IndexGroup.Own(volumeName);
        return StageAsync((stage, ct) => stage(group, tarInput, index, ct), progress, cancellationToken);
    }

    /// <summary>Step 1 for every files volume of a backup, one after the other (each index group in order, as verification reads them back).</summary>
    /// <param name="progress">Files and links written into staging so far over all volumes, and their bytes, after each one (null: not reported).</param>
    public async Task<InPlaceRestoreCounts> StageAsync(BackupVolumes volumes, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        // BackupVolumes splits a multi-volume index into private scratch files: names only, not the site's bytes.
        var scratch = Directory.CreateTempSubdirectory("bf-remote-restore-");
        try
        {
            return await StageAsync((stage, ct) => volumes.ForEachAsync(scratch.FullName, 1, (g, t, i, token) => stage(g, t, i, token), ct), progress, cancellationToken);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    private async Task<InPlaceRestoreCounts> StageAsync(
        Func<VolumeStage, CancellationToken, Task> readVolumes, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        if (await ReadJournalAsync(cancellationToken) is { } done)
        {
            if (done.RolledBack || done.Completing)
                throw new InvalidOperationException($"Restore job {_jobId} has already ended.");
            return done.Counts;
        }

        await _target.DeleteFolderAsync(JobFolder, cancellationToken);
        await _target.CreateFolderAsync(JobFolder + "/" + ReadyName, cancellationToken);
        try
        {
            // The folders written, with their times and modes: given once everything inside them is written (each write
            // below a folder changes its time). Names and figures only, in a private scratch file.
            await using var foldersFile = ScratchFile("bf-restore-folders-");
            using var folders = new BinaryWriter(foldersFile, Encoding.UTF8, leaveOpen: true);
            var state = new StageState { Progress = progress, Folders = folders };
            // Length-prefixed names of the files and links written, in archive order; names only (never the bytes).
            await using var listFile = ScratchFile("bf-restore-list-");
            using var list = new BinaryWriter(listFile, Encoding.UTF8, leaveOpen: true);
            var rules = new ArchiveEntryRules();
            await readVolumes((group, tar, index, ct) => StageVolumeAsync(group, tar, index, rules, state, list, ct), cancellationToken);
            await SetFolderAttributesAsync(foldersFile, folders, cancellationToken);
            list.Write(false);
            list.Flush();
            listFile.Position = 0;
            await _target.WriteFileAsync(JobFolder + "/" + ListName, listFile, DateTimeOffset.UnixEpoch, PrivateMode, cancellationToken);

            var states = new List<InPlaceComponentState>();
            long deleted = 0;
            foreach (var component in state.Components.Order(StringComparer.Ordinal))
            {
                var live = await _target.GetEntryAsync(component, cancellationToken);
                if (WholeComponents && live?.Type == FileIndexEntry.DirectoryType)
                    deleted += await CountMissingAsync(component, cancellationToken);
                states.Add(new InPlaceComponentState(component, live is not null, InPlaceComponentState.Staged));
            }

            var counts = new InPlaceRestoreCounts([.. states.Select(s => s.Name)], state.Created, state.Overwritten, deleted, state.Skipped, state.Bytes);
            await WriteJournalAsync(new InPlaceRestoreJournal(_jobId, states, counts), cancellationToken);
            return counts;
        }
        catch
        {
            // Nothing live was touched: the staging goes, and a retry starts clean.
            await _target.DeleteFolderAsync(JobFolder, CancellationToken.None);
            throw;
        }
    }

    private async Task StageVolumeAsync(
        IndexGroup group, Stream tar, IAsyncEnumerable<FileIndexEntry> index, ArchiveEntryRules rules, StageState state, BinaryWriter list, CancellationToken cancellationToken)
    {
        var volumeName = group.Label;
        await using var cursor = new FileIndexCursor(index, group, cancellationToken);
        await using (var reader = new TarReader(tar, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (!await cursor.ListsAsync(ArchiveEntryRules.LooseName(entry)))
                    continue;
                // Kind, plain relative name (no '..', no absolute path), nothing below a link: refused before any write.
                var (name, type) = rules.Check(entry, volumeName);
                var indexed = await cursor.NextAsync(name, type);
                var write = await IncludeAsync(name, indexed, state, cancellationToken);
                if (type == FileIndexEntry.SymbolicLinkType)
                    rules.AddLink(name, entry.LinkName, indexed, volumeName, write);
                if (!write)
                    continue; // read past: TarReader skips the data; the volume's stored hash covers it

                var component = name.Split('/')[0];
                if (state.Components.Add(component))
                    await PrepareComponentAsync(component, cancellationToken);
                if (!WholeComponents)
                    await ClearConflictAsync(name, type, cancellationToken);

                switch (type)
                {
                    case FileIndexEntry.DirectoryType:
                        await _target.CreateFolderAsync(ReadyPath(name), cancellationToken);
                        state.Folders!.Write(name);
                        state.Folders.Write(indexed.ModifiedAt.UtcTicks);
                        state.Folders.Write(indexed.Mode);
                        break;
                    case FileIndexEntry.SymbolicLinkType:
                        await EnsureParentAsync(name, state, cancellationToken);
                        await _target.CreateLinkAsync(ReadyPath(name), entry.LinkName, cancellationToken);
                        list.Write(true);
                        list.Write(name);
                        state.Wrote(0);
                        break;
                    default:
                        if (entry.Length != indexed.Size)
                            throw new IntegrityException(volumeName, $"{name}: {entry.Length} bytes in the archive, {indexed.Size} in the index");
                        await EnsureParentAsync(name, state, cancellationToken);
                        await using (var content = new CheckedContent(entry.DataStream ?? Stream.Null, indexed, volumeName))
                        {
                            await _target.WriteFileAsync(ReadyPath(name), content, indexed.ModifiedAt, indexed.Mode, cancellationToken);
                            content.EnsureChecked();
                        }
                        list.Write(true);
                        list.Write(name);
                        state.Wrote(indexed.Size);
                        break;
                }
            }
        }

        // What follows the end-of-archive marker is read too, so that the decrypting stream below checks the volume's end.
        await tar.CopyToAsync(Stream.Null, cancellationToken);
        await cursor.EndAsync();
    }

    private static FileStream ScratchFile(string prefix) => new(
        Path.Join(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")),
        FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose);

    /// <summary>Gives every staged folder the backup's time and mode (where the target keeps them), read back from the scratch file.</summary>
    private async Task SetFolderAttributesAsync(FileStream foldersFile, BinaryWriter folders, CancellationToken cancellationToken)
    {
        folders.Flush();
        foldersFile.Position = 0;
        using var reader = new BinaryReader(foldersFile, Encoding.UTF8, leaveOpen: true);
        while (foldersFile.Position < foldersFile.Length)
        {
            var name = reader.ReadString();
            var modifiedAt = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var mode = reader.ReadInt32();
            await _target.SetFolderAttributesAsync(ReadyPath(name), modifiedAt, mode, cancellationToken);
        }
    }

    /// <summary>Whether the entry is written into staging; counts it as the local restore does.</summary>
    private async Task<bool> IncludeAsync(string name, FileIndexEntry entry, StageState state, CancellationToken cancellationToken)
    {
        var component = name.Split('/')[0];
        if (_components is { } components && !components.Contains(component))
            return false;
        if (_items is { } items && !items.Includes(name))
            return false;
        if (SiteRoots.ComponentProblem(component) is not null || component.StartsWith(StagingPrefix, StringComparison.Ordinal) || component.Contains(SetAsideInfix, StringComparison.Ordinal))
            throw new InvalidOperationException($"The backup's component '{component}' cannot be restored in place (not a plain folder name, or a restore's own name).");

        var live = await LiveTypeAsync(name, state, cancellationToken);
        if (entry.Type == FileIndexEntry.DirectoryType)
            return _overwrite || live is null;
        if (entry.Type == FileIndexEntry.SymbolicLinkType && !_target.CanCreateLinks)
        {
            state.Skipped++;
            return false;
        }
        if (live is not null && !_overwrite)
        {
            state.Skipped++;
            return false;
        }

        if (live is null)
            state.Created++;
        else
            state.Overwritten++;
        if (entry.Type == FileIndexEntry.FileType)
            state.Bytes += entry.Size;
        return true;
    }

    /// <summary>The live entry's type without following a link; below a link or a file counts as existing (a link).</summary>
    private async Task<string?> LiveTypeAsync(string name, StageState state, CancellationToken cancellationToken)
    {
        var slash = name.LastIndexOf('/');
        if (slash > 0 && name[..slash] != state.LastRealFolder)
        {
            var parent = name[..slash];
            for (var at = parent.IndexOf('/', StringComparison.Ordinal); ; at = parent.IndexOf('/', at + 1))
            {
                var above = await _target.GetEntryAsync(at < 0 ? parent : parent[..at], cancellationToken);
                if (above is null)
                    return null;
                if (above.Type != FileIndexEntry.DirectoryType)
                    return FileIndexEntry.SymbolicLinkType;
                if (at < 0)
                    break;
            }
            state.LastRealFolder = parent;
        }

        return (await _target.GetEntryAsync(name, cancellationToken))?.Type;
    }

    /// <summary>Before a component's first entry: refuses a taken set-aside name; a merge copies the live component in.</summary>
    private async Task PrepareComponentAsync(string component, CancellationToken cancellationToken)
    {
        if (await _target.GetEntryAsync(SetAsidePath(component), cancellationToken) is not null)
            throw new InvalidOperationException($"{SetAsidePath(component)} exists already: remove it (or clean up restore job {_jobId}) first.");
        if (WholeComponents)
            return;
        var live = await _target.GetEntryAsync(component, cancellationToken);
        if (live is null)
            return;
        if (live.Type != FileIndexEntry.DirectoryType)
            throw new InvalidOperationException($"{component} is not a folder in the live site: restore the whole component (without items, with overwrite) to replace it.");
        if (_target.CanRenameFolders)
            await CopyTreeAsync(component, ReadyPath(component), cancellationToken);
        // Blob: the staged component holds only the selected entries; the swap writes them over the live ones.
    }

    /// <summary>In a merged staging copy, what is in the way of an entry of another kind goes first.</summary>
    private async Task ClearConflictAsync(string name, string type, CancellationToken cancellationToken)
    {
        var staged = await _target.GetEntryAsync(ReadyPath(name), cancellationToken);
        if (staged is null || (staged.Type == FileIndexEntry.DirectoryType && type == FileIndexEntry.DirectoryType))
            return;
        if (staged.Type == FileIndexEntry.DirectoryType)
            await _target.DeleteFolderAsync(ReadyPath(name), cancellationToken);
        else if (type == FileIndexEntry.DirectoryType || staged.Type == FileIndexEntry.SymbolicLinkType || type == FileIndexEntry.SymbolicLinkType)
            await _target.DeleteFileAsync(ReadyPath(name), cancellationToken);
    }

    private async Task EnsureParentAsync(string name, StageState state, CancellationToken cancellationToken)
    {
        var slash = name.LastIndexOf('/');
        var parent = slash > 0 ? name[..slash] : "";
        if (parent.Length > 0 && parent != state.LastStagedFolder)
        {
            await _target.CreateFolderAsync(ReadyPath(parent), cancellationToken);
            state.LastStagedFolder = parent;
        }
    }

    /// <summary>Copies a folder of the target into another (streamed through the app): files, folders and, where kept, links.</summary>
    private async Task CopyTreeAsync(string from, string to, CancellationToken cancellationToken)
    {
        await _target.CreateFolderAsync(to, cancellationToken);
        await foreach (var entry in _target.ListAsync(from, cancellationToken))
        {
            var destination = to + entry.Path[from.Length..];
            switch (entry.Type)
            {
                case FileIndexEntry.DirectoryType:
                    await _target.CreateFolderAsync(destination, cancellationToken);
                    break;
                case FileIndexEntry.SymbolicLinkType:
                    // Never dropped silently: the copy would replace the component without it.
                    if (!_target.CanCreateLinks || entry.LinkTarget is not { } linkTarget)
                        throw new InvalidOperationException(
                            $"{entry.Path}: a symbolic link this target cannot copy; restore the whole component (without items, with overwrite) instead.");
                    await _target.CreateLinkAsync(destination, linkTarget, cancellationToken);
                    break;
                default:
                    await using (var content = await _target.OpenReadAsync(entry.Path, cancellationToken))
                        await _target.WriteFileAsync(destination, content, entry.ModifiedAt, entry.Mode, cancellationToken);
                    break;
            }
        }
    }

    /// <summary>Files and links of the live component that the staged one does not have (they go with the swap).</summary>
    private async Task<long> CountMissingAsync(string component, CancellationToken cancellationToken)
    {
        long missing = 0;
        await foreach (var entry in _target.ListAsync(component, cancellationToken))
        {
            // The live component is removed after the swap (or, without renames, its extras are): a link the target cannot
            // handle is refused now, before anything live changes, rather than at completion.
            if (entry.Type is not (FileIndexEntry.DirectoryType or FileIndexEntry.FileType) && !_target.CanCreateLinks)
                throw new InvalidOperationException(
                    $"{entry.Path}: a symbolic link (or special file) in the live site, which this target cannot remove safely; remove it on the host, or restore into a local folder.");
            if (entry.Type != FileIndexEntry.DirectoryType && await _target.GetEntryAsync(ReadyPath(entry.Path), cancellationToken) is null)
                missing++;
        }
        return missing;
    }

    /// <summary>
    /// Step 2: rename-capable targets swap each component with two renames (journal around each); others copy the staged
    /// files over the live ones and delete the extras (see remarks). Idempotent: a retry finishes what a crash interrupted.
    /// </summary>
    public async Task SwapAsync(CancellationToken cancellationToken)
    {
        var journal = await ReadJournalAsync(cancellationToken) ?? throw new InvalidOperationException($"Restore job {_jobId} has not been staged.");
        if (journal.RolledBack || journal.Completing)
            throw new InvalidOperationException($"Restore job {_jobId} has already ended.");

        var states = journal.Components.ToList();
        for (var i = 0; i < states.Count; i++)
        {
            var state = states[i];
            if (state.Step == InPlaceComponentState.Swapped)
                continue;
            if (_target.CanRenameFolders)
                journal = await RenameInAsync(journal, states, i, cancellationToken);
            else
                journal = await CopyInAsync(journal, states, i, cancellationToken);
            journal = await SaveAsync(journal, states, i, InPlaceComponentState.Swapped, cancellationToken);
            if (AfterComponentSwapped is { } after)
                await after(state.Name);
        }
    }

    private async Task<InPlaceRestoreJournal> RenameInAsync(InPlaceRestoreJournal journal, List<InPlaceComponentState> states, int i, CancellationToken cancellationToken)
    {
        var state = states[i];
        var live = state.Name;
        var ready = ReadyPath(state.Name);
        var aside = SetAsidePath(state.Name);
        if (state.LiveExisted && state.Step is InPlaceComponentState.Staged or InPlaceComponentState.MovingAside)
        {
            // Moved already when the live name is gone and the set-aside one is there (a server-side rename is atomic).
            if (!(await _target.GetEntryAsync(live, cancellationToken) is null && await _target.GetEntryAsync(aside, cancellationToken) is not null))
            {
                journal = await SaveAsync(journal, states, i, InPlaceComponentState.MovingAside, cancellationToken);
                await _target.RenameFolderAsync(live, aside, cancellationToken);
            }
            journal = await SaveAsync(journal, states, i, InPlaceComponentState.Aside, cancellationToken);
        }

        if (await _target.GetEntryAsync(ready, cancellationToken) is not null)
        {
            journal = await SaveAsync(journal, states, i, InPlaceComponentState.MovingIn, cancellationToken);
            // Something that appeared under the live name since makes this fail: the restore then rolls back.
            await _target.RenameFolderAsync(ready, live, cancellationToken);
        }
        else if (await _target.GetEntryAsync(live, cancellationToken) is null)
        {
            throw new InvalidOperationException($"{state.Name}: neither the staged nor the live component exists; the restore must be rolled back.");
        }
        return journal;
    }

    private async Task<InPlaceRestoreJournal> CopyInAsync(InPlaceRestoreJournal journal, List<InPlaceComponentState> states, int i, CancellationToken cancellationToken)
    {
        var component = states[i].Name;
        // From here on the live component changes file by file: a rollback can no longer put it back (see remarks).
        journal = await SaveAsync(journal, states, i, InPlaceComponentState.MovingIn, cancellationToken);
        await CopyTreeAsync(ReadyPath(component), component, cancellationToken);
        if (WholeComponents && states[i].LiveExisted)
        {
            // The extras of a whole component go once its files are in; names only are held (usually few).
            var extras = new List<(string Path, bool Folder)>();
            await foreach (var entry in _target.ListAsync(component, cancellationToken))
            {
                if (await _target.GetEntryAsync(ReadyPath(entry.Path), cancellationToken) is null)
                    extras.Add((entry.Path, entry.Type == FileIndexEntry.DirectoryType));
            }
            foreach (var (path, folder) in extras)
            {
                if (folder)
                    await _target.DeleteFolderAsync(path, cancellationToken);
                else
                    await _target.DeleteFileAsync(path, cancellationToken);
            }
        }
        return journal;
    }

    /// <summary>
    /// Step 3 (skippable): every file and link the restore wrote, read back from the live site and checked against the
    /// index (size and SHA-256 of a file, target of a link; folders above must be real folders). Read-only, so safe to retry.
    /// </summary>
    /// <exception cref="IntegrityException">A restored entry differs from the index (the caller rolls back).</exception>
    public async Task<InPlaceRestoreCounts> VerifyAsync(IAsyncEnumerable<FileIndexEntry> index, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        var journal = await ReadJournalAsync(cancellationToken) ?? throw new InvalidOperationException($"Restore job {_jobId} has not been staged.");
        if (journal.Components.Any(c => c.Step != InPlaceComponentState.Swapped))
            throw new InvalidOperationException($"Restore job {_jobId} is not swapped yet.");

        long verified = 0, verifiedBytes = 0;
        string? lastRealFolder = null;
        await using var listStream = await _target.OpenReadAsync(JobFolder + "/" + ListName, cancellationToken);
        using var list = new BinaryReader(listStream, Encoding.UTF8, leaveOpen: true);
        string? Next() => list.ReadBoolean() ? list.ReadString() : null;
        var next = Next();
        await foreach (var entry in index.WithCancellation(cancellationToken))
        {
            if (next is null)
                break;
            if (entry.Path != next)
                continue;
            var slash = entry.Path.LastIndexOf('/');
            if (slash > 0 && entry.Path[..slash] != lastRealFolder)
            {
                var parent = entry.Path[..slash];
                for (var at = parent.IndexOf('/', StringComparison.Ordinal); ; at = parent.IndexOf('/', at + 1))
                {
                    var above = at < 0 ? parent : parent[..at];
                    if ((await _target.GetEntryAsync(above, cancellationToken))?.Type != FileIndexEntry.DirectoryType)
                        throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: {above} is not a folder in the live site after the restore");
                    if (at < 0)
                        break;
                }
                lastRealFolder = parent;
            }

            await CheckLiveAsync(entry, cancellationToken);
            verified++;
            verifiedBytes += entry.Type == FileIndexEntry.FileType ? entry.Size : 0;
            progress?.Report(new ArchiveProgress(verified, verifiedBytes));
            next = Next();
        }

        if (next is not null)
            throw new IntegrityException(ObjectNames.Index, $"{next}: restored but not in the index read for verification");
        return journal.Counts with { Verified = verified };
    }

    private async Task CheckLiveAsync(FileIndexEntry entry, CancellationToken cancellationToken)
    {
        var live = await _target.GetEntryAsync(entry.Path, cancellationToken);
        if (entry.Type == FileIndexEntry.SymbolicLinkType)
        {
            // A target that cannot read a link's target (SFTP through SSH.NET: no readlink) is checked for the link alone.
            if (live?.Type != FileIndexEntry.SymbolicLinkType || (live.LinkTarget is not null && live.LinkTarget != entry.LinkTarget))
                throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: not the restored symbolic link in the live site");
            return;
        }
        if (live?.Type != FileIndexEntry.FileType)
            throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: not a file in the live site after the restore");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        var buffer = new byte[128 * 1024];
        await using (var content = await _target.OpenReadAsync(entry.Path, cancellationToken))
        {
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
            }
        }
        if (size != entry.Size || !CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), ExpectedHash(entry, ObjectNames.Index)))
            throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: the live file differs from the backup after the restore (size or SHA-256)");
    }

    /// <summary>
    /// Step 4: removes the set-aside components and the staging folder; from its first action on no rollback (the journal
    /// says so first). Idempotent; a job already completed (no journal) returns null.
    /// </summary>
    public async Task<InPlaceRestoreCounts?> CompleteAsync(CancellationToken cancellationToken)
    {
        var journal = await ReadJournalAsync(cancellationToken);
        if (journal is null)
        {
            if (await _target.GetEntryAsync(JobFolder, cancellationToken) is not null)
                throw new InvalidOperationException($"Restore job {_jobId} has not been staged.");
            return null;
        }
        if (journal.RolledBack)
            throw new InvalidOperationException($"Restore job {_jobId} was rolled back.");
        if (journal.Components.Any(c => c.Step != InPlaceComponentState.Swapped))
            throw new InvalidOperationException($"Restore job {_jobId} is not swapped yet.");

        if (!journal.Completing)
            await WriteJournalAsync(journal with { Completing = true }, cancellationToken);
        if (_target.CanRenameFolders)
        {
            foreach (var component in journal.Components)
                await _target.DeleteFolderAsync(SetAsidePath(component.Name), cancellationToken);
        }
        // The journal goes last, with the folder: until then a retry knows the job was completing.
        await _target.DeleteFolderAsync(JobFolder, cancellationToken);
        return journal.Counts;
    }

    /// <summary>
    /// Puts the live site back as it was before the swap where the target can: every set-aside component renamed back
    /// (what was swapped in is removed), a component the site did not have removed again, the staging removed. Safe in
    /// any state and idempotent; refused once <see cref="CompleteAsync"/> has begun. Returns false when the live site
    /// could not be put back: on a target without folder renames once the swap began writing (restore the pre-restore
    /// backup then).
    /// </summary>
    public async Task<bool> RollbackAsync(CancellationToken cancellationToken)
    {
        var journal = await ReadJournalAsync(cancellationToken);
        if (journal is null)
        {
            // Not staged (or staging broke): nothing live was touched.
            await _target.DeleteFolderAsync(JobFolder, cancellationToken);
            return true;
        }
        if (journal.Completing)
            throw new InvalidOperationException($"Restore job {_jobId} is completing and can no longer be rolled back.");

        var reverted = true;
        foreach (var state in journal.Components.Reverse())
        {
            var swappedIn = state.Step is InPlaceComponentState.MovingIn or InPlaceComponentState.Swapped;
            if (!_target.CanRenameFolders)
            {
                reverted &= !swappedIn;
                continue;
            }

            var live = state.Name;
            var aside = SetAsidePath(state.Name);
            if (swappedIn && await _target.GetEntryAsync(ReadyPath(state.Name), cancellationToken) is null
                && await _target.GetEntryAsync(live, cancellationToken) is not null)
            {
                // The restored component goes into the staging folder, and with it.
                await _target.RenameFolderAsync(live, JobFolder + "/discard-" + state.Name, cancellationToken);
            }
            // Whatever the journal's step: staging refused a set-aside name that was taken, so one there now is ours.
            if (state.LiveExisted && await _target.GetEntryAsync(aside, cancellationToken) is not null
                && await _target.GetEntryAsync(live, cancellationToken) is null)
            {
                await _target.RenameFolderAsync(aside, live, cancellationToken);
            }
        }

        await WriteJournalAsync(journal with { RolledBack = true }, cancellationToken);
        await _target.DeleteFolderAsync(JobFolder, cancellationToken);
        return reverted;
    }

    /// <summary>
    /// <see cref="InPlaceFileRestore.CleanupLeftovers"/> for a site that is not a local folder: ends the in-place restore
    /// jobs that left a staging folder in the target's root and are not in <paramref name="runningJobIds"/> — one that had
    /// begun completing is completed, any other rolled back (<see cref="RestoreLeftover.NotReverted"/> where the target
    /// could not put the live site back). Set-aside folders without their staging are left and reported. Lists the root
    /// only (<see cref="ISiteTarget.ListChildrenAsync"/>), never the site. Returns everything found, with what was done.
    /// </summary>
    public static async Task<IReadOnlyList<RestoreLeftover>> CleanupLeftoversAsync(
        ISiteTarget target, IReadOnlySet<string> runningJobIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(runningJobIds);
        var found = new List<RestoreLeftover>();
        await foreach (var entry in target.ListChildrenAsync("", cancellationToken))
        {
            if (entry.Type == FileIndexEntry.DirectoryType && RestoreLeftover.Of(entry.Path, entry.Path) is { } leftover)
                found.Add(leftover);
        }

        var outcomes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (job, outcome) in RestoreLeftover.Triage(found, runningJobIds))
        {
            if (outcome is not null)
            {
                outcomes[job] = outcome;
                continue;
            }
            var restore = new RemoteInPlaceFileRestore(target, job);
            if (await restore.ReadJournalAsync(cancellationToken) is { Completing: true })
            {
                await restore.CompleteAsync(cancellationToken);
                outcomes[job] = RestoreLeftover.Completed;
            }
            else
            {
                outcomes[job] = await restore.RollbackAsync(cancellationToken) ? RestoreLeftover.RolledBack : RestoreLeftover.NotReverted;
            }
        }
        return [.. found.Select(f => f with { Outcome = outcomes[f.JobId] })];
    }

    private async Task<InPlaceRestoreJournal> SaveAsync(InPlaceRestoreJournal journal, List<InPlaceComponentState> states, int i, string step, CancellationToken cancellationToken)
    {
        states[i] = states[i] with { Step = step };
        var updated = journal with { Components = [.. states] };
        await WriteJournalAsync(updated, cancellationToken);
        return updated;
    }

    private async Task<InPlaceRestoreJournal?> ReadJournalAsync(CancellationToken cancellationToken)
    {
        var entry = await _target.GetEntryAsync(JournalPath, cancellationToken);
        if (entry is null)
            return null;
        if (entry.Type != FileIndexEntry.FileType || entry.Size > MaxJournalBytes)
            throw new InvalidOperationException($"{JournalPath} is not this service's journal");
        await using var stream = await _target.OpenReadAsync(JournalPath, cancellationToken);
        var journal = await JsonSerializer.DeserializeAsync<InPlaceRestoreJournal>(stream, JournalJson, cancellationToken)
            ?? throw new InvalidOperationException($"{JournalPath} is empty");
        if (journal.JobId != _jobId)
            throw new InvalidOperationException($"{JournalPath} belongs to restore job {journal.JobId}");
        return journal;
    }

    private async Task WriteJournalAsync(InPlaceRestoreJournal journal, CancellationToken cancellationToken)
    {
        // Replaced whole (ISiteTarget.WriteFileAsync): after a crash the journal is the old or the new one.
        using var content = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(journal, JournalJson), writable: false);
        await _target.WriteFileAsync(JournalPath, content, DateTimeOffset.UnixEpoch, PrivateMode, cancellationToken);
    }

    private static byte[] ExpectedHash(FileIndexEntry entry, string volumeName)
    {
        byte[] expected;
        try
        {
            expected = Convert.FromHexString(entry.Sha256 ?? "");
        }
        catch (FormatException)
        {
            expected = [];
        }
        return expected.Length == SHA256.HashSizeInBytes
            ? expected
            : throw new IntegrityException(volumeName, $"{entry.Path}: the index has no valid SHA-256 for it");
    }


    private sealed class StageState
    {
        public SortedSet<string> Components { get; } = new(StringComparer.Ordinal);
        public long Created { get; set; }
        public long Overwritten { get; set; }
        public long Skipped { get; set; }
        public long Bytes { get; set; }
        public string? LastRealFolder { get; set; }
        public string? LastStagedFolder { get; set; }
        public IProgress<ArchiveProgress>? Progress { get; init; }
        public BinaryWriter? Folders { get; init; }
        private long _writtenFiles;
        private long _writtenBytes;

        /// <summary>A file or link (<paramref name="bytes"/> 0) is in staging: reported with the totals so far.</summary>
        public void Wrote(long bytes)
        {
            _writtenFiles++;
            _writtenBytes += bytes;
            Progress?.Report(new ArchiveProgress(_writtenFiles, _writtenBytes));
        }
    }

    /// <summary>
    /// A tar entry's data on its way to the target, hashed as it passes: at its end the size and SHA-256 must be the
    /// index's, or the read throws and the target's write fails (the file never replaces anything).
    /// </summary>
    private sealed class CheckedContent(Stream inner, FileIndexEntry entry, string volumeName) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] _expected = ExpectedHash(entry, volumeName);
        private long _read;
        private bool _checked;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => entry.Size;

        public override long Position
        {
            get => _read;
            set => throw new NotSupportedException();
        }

        /// <summary>The target read to the end (and so the check ran); a target that stopped early wrote a short file.</summary>
        public void EnsureChecked()
        {
            if (!_checked)
                throw new IntegrityException(volumeName, $"{entry.Path}: the target did not read the whole file");
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            return Passed(buffer[..read]);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            return Passed(buffer.Span[..read]);
        }

        private int Passed(ReadOnlySpan<byte> data)
        {
            if (data.Length > 0)
            {
                _read += data.Length;
                if (_read > entry.Size)
                    throw new IntegrityException(volumeName, $"{entry.Path}: longer in the archive than in the index");
                _hash.AppendData(data);
            }
            // Checked with the last byte (a client that stops reading at Length is checked too) or at a short end.
            if (!_checked && (_read == entry.Size || data.Length == 0))
            {
                if (_read != entry.Size || !CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), _expected))
                    throw new IntegrityException(volumeName, $"{entry.Path}: SHA-256 or size differs from the index");
                _checked = true;
            }
            return data.Length;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
