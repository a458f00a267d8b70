using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Backups;
using Mono.Unix;
using Microsoft.Win32.SafeHandles;
using Mono.Unix.Native;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Restores a backup's site files in place, into the live site root, in steps the restore orchestration runs as
/// separate (retried) activities: <see cref="StageAsync(BackupVolumes, int, IProgress{ArchiveProgress}?, CancellationToken)"/> → <see cref="Swap"/> → <see cref="VerifyAsync"/> →
/// <see cref="Complete"/>, or <see cref="Rollback"/> on any failure or cancel after staging. Every step is idempotent
/// and may run on a fresh instance (after a crash): the state lives in the site root, in the job's staging folder and
/// its journal, never in this object.
/// </summary>
/// <remarks>
/// <para>
/// Layout in the (resolved) site root: <c>.bf-restore-&lt;job&gt;/</c> is the job's private (0700) staging folder,
/// holding <c>journal.json</c>, <c>ready/&lt;component&gt;</c> (each component as it will be after the swap),
/// <c>restored.list</c> (the files and links written from the backup, in archive order, for verification) and scratch
/// space. It sits beside the live components, so every rename of the swap stays on one file system and is atomic.
/// The swap renames <c>&lt;component&gt;</c> to <c>&lt;component&gt;.replaced-&lt;job&gt;</c> (the set-aside folder)
/// and <c>ready/&lt;component&gt;</c> to <c>&lt;component&gt;</c>; completion removes the set-aside folders, a
/// rollback renames them back.
/// </para>
/// <para>
/// Staging proves every byte as <see cref="SiteExtraction"/> does (same rules, index in step with the tar, SHA-256 of
/// every file) and touches nothing live. Whole components with overwrite: the staged component is the backup's
/// component. Otherwise (items, or overwrite off) it is a copy of the live component (bytes, modes, times, empty folders,
/// links verbatim) with the selected entries of the backup put in: the swap then replaces a component with one that
/// differs only where the restore said, in one rename, and a rollback has the untouched original to put back. The copy
/// costs the component's size once on disk; adding entries in place instead would leave a half-restored folder
/// whenever the process died between two files.
/// </para>
/// <para>
/// Whole components reuse unchanged live files: the extraction hard-links a live file into staging instead of writing a
/// copy when its bytes are proven to be the backup's (<see cref="LiveFileReuse"/>: size, mode and time
/// pick the candidates, SHA-256 decides), so staging writes and <see cref="Complete"/> frees only what changed. Such a
/// file is one inode in the live and the staged component until the swap: a write into the live file meanwhile is a
/// write into the restored one, which <see cref="VerifyAsync"/> (after the swap) catches, so the restore rolls back.
/// After the swap it is one inode in the restored and the set-aside component: a write into it then survives a
/// rollback.
/// </para>
/// <para>
/// Not guaranteed: a process outside the service writing a component while it is staged or swapped (what it writes
/// after the copy is lost with the set-aside folder; what it writes between the two renames fails or lands in the
/// set-aside folder), owners (not restored, as everywhere), hard links between files (restored as separate files) and
/// a component that is a mount point (its rename fails, and the restore rolls back).
/// </para>
/// </remarks>
public sealed class InPlaceFileRestore
{
    private const string StagingPrefix = RestoreLeftover.StagingPrefix;
    private const string SetAsideInfix = RestoreLeftover.SetAsideInfix;
    private const string JournalName = "journal.json";
    private const string JournalTemp = "journal.json.new";
    private const string ListName = "restored.list";
    private const string RestoredName = "restored";
    private const string ReadyName = "ready";
    private const string DiscardName = "discard";
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;

    private static readonly JsonSerializerOptions JournalJson = new(JsonSerializerDefaults.Web);

    private readonly InPlaceRestoreRequest _request;
    private readonly RestoreSelection? _items;
    private readonly HashSet<string>? _components;

    /// <summary>
    /// Checks the request (everything in it may come from the API) and resolves the site root. Touches nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A job id, site root, item or component that is not allowed; the message says which.</exception>
    /// <exception cref="PlatformNotSupportedException">On Windows.</exception>
    public InPlaceFileRestore(InPlaceRestoreRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("in-place restores need Unix renames and modes");
        if (request.JobId is null || !RestoreLeftover.IsJobId(request.JobId))
            throw new ArgumentException("The restore job id must be 1 to 64 letters, digits, '-' or '_'.", nameof(request));
        if (string.IsNullOrWhiteSpace(request.SiteRoot) || !Path.IsPathFullyQualified(request.SiteRoot) || request.SiteRoot.Any(char.IsControl))
            throw new ArgumentException("The site root must be an absolute folder path.", nameof(request));
        if (request.Components is { } components)
        {
            foreach (var component in components)
            {
                if (SiteRoots.ComponentProblem(component) is { } problem)
                    throw new ArgumentException($"components: {problem}", nameof(request));
            }
            _components = components.ToHashSet(StringComparer.Ordinal);
        }

        // Table items of the same selection are the database's; only globs select files (none: no file is written).
        _items = request.Items is { Count: > 0 } ? RestoreSelection.Parse(request.Items) : null;
        _request = request;
        // realpath once: a site root below a symbolic link is restored into the real folder, and the link stays.
        SiteRoot = RealPath.Resolve(request.SiteRoot);
        JobFolder = Path.Join(SiteRoot, StagingPrefix + request.JobId);
    }

    /// <summary>The resolved site root.</summary>
    public string SiteRoot { get; }

    /// <summary>The job's staging folder (beside the live components).</summary>
    public string JobFolder { get; }

    /// <summary>Tests only: called after each component is swapped, to inject a failure between two components.</summary>
    internal Action<string>? AfterComponentSwapped { get; set; }

    private string JournalPath => Path.Join(JobFolder, JournalName);

    /// <summary>The list of entries written from the <paramref name="group"/>-th group of the index (own volume or referenced one).</summary>
    private string VolumeListPath(int group) => Path.Join(JobFolder, ListName + "." + (group + 1).ToString("D5", System.Globalization.CultureInfo.InvariantCulture));

    private static int IndexOf(IReadOnlyList<IndexGroup> groups, IndexGroup group)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            if (groups[i] == group)
                return i;
        }
        throw new InvalidOperationException($"{group.Label}: not a volume of this restore");
    }

    private string ReadyPath(string component) => Path.Join(JobFolder, ReadyName, component);

    private string LivePath(string component) => Path.Join(SiteRoot, component);

    private string SetAsidePath(string component) => Path.Join(SiteRoot, component + SetAsideInfix + _request.JobId);

    /// <summary>
    /// Step 1: extracts the backup's selected entries from one files volume (<paramref name="tarInput"/>, read to its end,
    /// with the index read in step, e.g. <see cref="FileIndex.ReadEntriesAsync"/>) into the job's staging folder and
    /// builds each touched component as it will be after the swap. Nothing live is touched. A retry after a finished
    /// stage returns its counts without reading the input; a retry after a broken one starts again.
    /// </summary>
    /// <exception cref="IntegrityException">The volume or index is damaged (nothing live was touched; the staging is removed).</exception>
    /// <param name="progress">Files and links written into staging so far, and their bytes (null: not reported).</param>
    public Task<InPlaceRestoreCounts> StageAsync(
        Stream tarInput, string volumeName, IAsyncEnumerable<FileIndexEntry> index, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tarInput);
        ArgumentException.ThrowIfNullOrEmpty(volumeName);
        ArgumentNullException.ThrowIfNull(index);
        var group = IndexGroup.Own(volumeName);
        return StageAsync([group], (extract, ct) => extract(group, tarInput, index, ct), progress, cancellationToken);
    }

    /// <summary>
    /// As <see cref="StageAsync(Stream, string, IAsyncEnumerable{FileIndexEntry}, IProgress{ArchiveProgress}?, CancellationToken)"/>
    /// for every files volume of a backup, up to <paramref name="maxParallel"/> at a time, into one staging tree (each
    /// volume with its own entries of the index and its own look-ahead of live files to reuse). The index and every
    /// volume are read to their ends and checked before this returns; any failure removes the staging.
    /// </summary>
    public Task<InPlaceRestoreCounts> StageAsync(
        BackupVolumes volumes, int maxParallel, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volumes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        return StageAsync(
            volumes.Groups,
            (extract, ct) => volumes.ForEachAsync(JobFolder, maxParallel, (group, tar, index, token) => extract(group, tar, index, token), ct),
            progress, cancellationToken);
    }

    /// <summary>One volume's extraction: its group of the index (own or referenced volume), its tar and its entries of the index.</summary>
    private delegate Task VolumeExtract(IndexGroup group, Stream tar, IAsyncEnumerable<FileIndexEntry> index, CancellationToken cancellationToken);

    private async Task<InPlaceRestoreCounts> StageAsync(
        IReadOnlyList<IndexGroup> groups, Func<VolumeExtract, CancellationToken, Task> readVolumes, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException();
        if (!Directory.Exists(SiteRoot) || Lstat(SiteRoot) != EntryKind.Directory)
            throw new InvalidOperationException($"The site root {SiteRoot} is not a folder.");
        if (ReadJournal() is { } done)
        {
            if (done.RolledBack || done.Completing)
                throw new InvalidOperationException($"Restore job {_request.JobId} has already ended.");
            return done.Counts;
        }

        if (Directory.Exists(JobFolder))
            RestoreStaging.DeleteTree(JobFolder);
        RestoreStaging.CreatePrivateFolder(JobFolder);
        try
        {
            return await StageIntoJobFolderAsync(groups, readVolumes, progress, cancellationToken);
        }
        catch
        {
            // Nothing live was touched: the staging goes, and a retry starts clean.
            RestoreStaging.DeleteTree(JobFolder);
            throw;
        }
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private async Task<InPlaceRestoreCounts> StageIntoJobFolderAsync(
        IReadOnlyList<IndexGroup> groups, Func<VolumeExtract, CancellationToken, Task> readVolumes, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        var restored = Path.Join(JobFolder, RestoredName);
        long unchanged;
        var selections = new System.Collections.Concurrent.ConcurrentDictionary<int, Selection>();
        using (var extraction = SiteExtraction.Begin(restored))
        {
            await readVolumes(async (group, tar, index, ct) =>
            {
                // Each volume its own selection (the index entry last read, the live folders checked) and its own list
                // of written entries, joined in the index's order of the groups below.
                var at = IndexOf(groups, group);
                var selection = new Selection(this);
                if (!selections.TryAdd(at, selection))
                    throw new IntegrityException(group.Label, "read twice");
                // Length-prefixed names (a name may hold a line break), one per written file or link, in archive order.
                using var list = new BinaryWriter(
                    RestoreStaging.OpenPrivateFile(VolumeListPath(at), FileMode.CreateNew, FileAccess.Write, 64 * 1024), Encoding.UTF8);
                selection.List = list;
                // Whole components only: the staged component then replaces the live one, so an unchanged live file can
                // simply be the staged one (hard-linked once its SHA-256 is proven), and the restore writes — and
                // completion frees — only what changed. Merging copies the live component anyway (see remarks). One
                // look-ahead per volume: each reads its own entries of the index.
                await using var reuse = WholeComponents ? new LiveFileReuse(name => Path.Join(SiteRoot, name)) : null;
                await extraction.AddVolumeAsync(
                    tar, group, selection.Watch(reuse?.Watch(index, ct) ?? index), selection.Include, reuse, progress, ct);
            }, cancellationToken);
            extraction.Complete();
            unchanged = extraction.ReusedFiles;
        }

        // The volumes' lists, in the groups' order: the index's order, in which verification reads them back.
        await using (var list = RestoreStaging.OpenPrivateFile(Path.Join(JobFolder, ListName), FileMode.CreateNew, FileAccess.Write, 64 * 1024))
        {
            for (var at = 0; at < groups.Count; at++)
            {
                await using (var part = RestoreStaging.OpenPrivateFile(VolumeListPath(at), FileMode.Open, FileAccess.Read, 64 * 1024))
                    await part.CopyToAsync(list, cancellationToken);
                File.Delete(VolumeListPath(at));
            }
        }
        var selection = new Selection(this);
        foreach (var one in selections.Values)
            selection.Add(one);

        RestoreStaging.CreatePrivateFolder(Path.Join(JobFolder, ReadyName));
        var states = new List<InPlaceComponentState>();
        long deleted = 0;
        foreach (var component in Directory.EnumerateFileSystemEntries(restored).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            var name = component!;
            if (SiteRoots.ComponentProblem(name) is not null || name.StartsWith(StagingPrefix, StringComparison.Ordinal) || name.Contains(SetAsideInfix, StringComparison.Ordinal))
                throw new InvalidOperationException($"The backup's component '{name}' cannot be restored in place (not a plain folder name, or a restore's own name).");
            if (Path.Exists(SetAsidePath(name)) || Lstat(SetAsidePath(name)) != EntryKind.Missing)
                throw new InvalidOperationException($"{SetAsidePath(name)} exists already: remove it (or clean up restore job {_request.JobId}) first.");

            var live = LivePath(name);
            var liveKind = Lstat(live);
            if (WholeComponents)
            {
                Rename(Path.Join(restored, name), ReadyPath(name));
                if (liveKind == EntryKind.Directory)
                    deleted += CountMissing(live, ReadyPath(name));
            }
            else
            {
                MergeComponent(name, liveKind, Path.Join(restored, name));
            }

            states.Add(new InPlaceComponentState(name, liveKind != EntryKind.Missing, InPlaceComponentState.Staged));
        }

        RestoreStaging.DeleteTree(restored);
        var counts = new InPlaceRestoreCounts([.. states.Select(s => s.Name)], selection.Created, selection.Overwritten, deleted, selection.Skipped, selection.Bytes, Unchanged: unchanged);
        WriteJournal(new InPlaceRestoreJournal(_request.JobId, states, counts));
        return counts;
    }

    /// <summary>
    /// Step 2: per component, renames the live one to its set-aside name and the staged one into its place, writing the
    /// journal around each rename. Idempotent: a retry finishes what a crash interrupted. On an exception the caller
    /// calls <see cref="Rollback"/>.
    /// </summary>
    public void Swap()
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException();
        var journal = ReadJournal() ?? throw new InvalidOperationException($"Restore job {_request.JobId} has not been staged.");
        if (journal.RolledBack || journal.Completing)
            throw new InvalidOperationException($"Restore job {_request.JobId} has already ended.");

        var states = journal.Components.ToList();
        for (var i = 0; i < states.Count; i++)
        {
            var state = states[i];
            var live = LivePath(state.Name);
            var ready = ReadyPath(state.Name);
            var aside = SetAsidePath(state.Name);
            if (state.Step == InPlaceComponentState.Swapped)
                continue;

            if (state.LiveExisted && state.Step is InPlaceComponentState.Staged or InPlaceComponentState.MovingAside)
            {
                // Moved already when the live name is gone and the set-aside one is there (a rename is atomic).
                if (!(Lstat(live) == EntryKind.Missing && Lstat(aside) != EntryKind.Missing))
                {
                    journal = Save(journal, states, i, InPlaceComponentState.MovingAside);
                    Rename(live, aside);
                }
                journal = Save(journal, states, i, InPlaceComponentState.Aside);
            }

            if (Lstat(ready) != EntryKind.Missing)
            {
                journal = Save(journal, states, i, InPlaceComponentState.MovingIn);
                // Something that appeared under the live name since (a writer outside the service) makes this fail:
                // the restore then rolls back rather than merge with it.
                Rename(ready, live);
            }
            else if (Lstat(live) == EntryKind.Missing)
            {
                throw new InvalidOperationException($"{state.Name}: neither the staged nor the live component exists; the restore must be rolled back.");
            }

            journal = Save(journal, states, i, InPlaceComponentState.Swapped);
            AfterComponentSwapped?.Invoke(state.Name);
        }
    }

    /// <summary>
    /// Step 3 (skippable): checks every file and link the restore wrote, now in the live site, against the index (read
    /// again, in step with the list of written entries): a file's size and SHA-256, a link's target; nothing is followed.
    /// Returns the stage's counts with <see cref="InPlaceRestoreCounts.Verified"/>. Read-only, so safe to retry.
    /// </summary>
    /// <exception cref="IntegrityException">A restored file differs from the index (the caller rolls back).</exception>
    /// <param name="progress">Files and links checked so far, and their bytes (null: not reported).</param>
    public async Task<InPlaceRestoreCounts> VerifyAsync(IAsyncEnumerable<FileIndexEntry> index, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        var journal = ReadJournal() ?? throw new InvalidOperationException($"Restore job {_request.JobId} has not been staged.");
        if (journal.Components.Any(c => c.Step != InPlaceComponentState.Swapped))
            throw new InvalidOperationException($"Restore job {_request.JobId} is not swapped yet.");

        long verified = 0, verifiedBytes = 0;
        var counting = new Lock();
        using var list = new BinaryReader(RestoreStaging.OpenPrivateFile(Path.Join(JobFolder, ListName), FileMode.Open, FileAccess.Read, 64 * 1024), Encoding.UTF8);
        // A few files at a time: the restored files are mostly in the page cache by now, so hashing them is CPU work
        // that spreads over the cores; the order of the checks does not matter, only that each is made.
        await Parallel.ForEachAsync(
            RestoredEntries(index, list, new LiveChecker(SiteRoot), cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = LiveChecker.Parallelism, CancellationToken = cancellationToken },
            (entry, token) =>
            {
                LiveChecker.CheckFile(SiteRoot, entry, token);
                // Counted and reported together, so that the reports rise in step.
                lock (counting)
                {
                    verified++;
                    verifiedBytes += entry.Type == FileIndexEntry.FileType ? entry.Size : 0;
                    progress?.Report(new ArchiveProgress(verified, verifiedBytes));
                }
                return ValueTask.CompletedTask;
            });
        return journal.Counts with { Verified = verified };
    }

    /// <summary>
    /// The index entries of the files and links the restore wrote (the list, in archive order), each after its folders
    /// were checked to be real folders of the live site (in order, where the check of a folder serves the files below).
    /// </summary>
    private static async IAsyncEnumerable<FileIndexEntry> RestoredEntries(
        IAsyncEnumerable<FileIndexEntry> index, BinaryReader list, LiveChecker checker, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? Next() => list.BaseStream.Position < list.BaseStream.Length ? list.ReadString() : null;
        var next = Next();
        await foreach (var entry in index.WithCancellation(cancellationToken))
        {
            if (next is null)
                break;
            if (entry.Path != next)
                continue;
            checker.CheckFolders(entry);
            yield return entry;
            next = Next();
        }

        if (next is not null)
            throw new IntegrityException(ObjectNames.Index, $"{next}: restored but not in the index read for verification");
    }

    /// <summary>
    /// Step 4: removes the set-aside folders and the staging folder. From its first action on the job can no longer be
    /// rolled back (the journal says so first). Idempotent; a job already completed (no staging folder) returns null.
    /// </summary>
    public InPlaceRestoreCounts? Complete()
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException();
        var journal = ReadJournal();
        if (journal is null)
        {
            if (Directory.Exists(JobFolder))
                throw new InvalidOperationException($"Restore job {_request.JobId} has not been staged.");
            return null;
        }
        if (journal.RolledBack)
            throw new InvalidOperationException($"Restore job {_request.JobId} was rolled back.");
        if (journal.Components.Any(c => c.Step != InPlaceComponentState.Swapped))
            throw new InvalidOperationException($"Restore job {_request.JobId} is not swapped yet.");

        if (!journal.Completing)
            WriteJournal(journal with { Completing = true });
        foreach (var component in journal.Components)
        {
            var aside = SetAsidePath(component.Name);
            if (Lstat(aside) == EntryKind.Directory)
                RestoreStaging.DeleteTree(aside);
            else if (Lstat(aside) != EntryKind.Missing)
                File.Delete(aside);
        }

        // The journal goes last, with the folder: until then a retry knows the job was completing.
        RestoreStaging.DeleteTree(JobFolder);
        return journal.Counts;
    }

    /// <summary>
    /// Puts the live site back as it was before the swap: every set-aside component is renamed back (what was swapped in
    /// is moved into the staging folder first and removed with it), a component the site did not have is removed again,
    /// and the staging folder is removed. Safe in any state and idempotent: before staging or after a rollback it only
    /// removes what staging is left. Refused once <see cref="Complete"/> has begun (the set-aside folders may be gone).
    /// </summary>
    public void Rollback()
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException();
        var journal = ReadJournal();
        if (journal is null)
        {
            // Not staged (or staging broke): nothing live was touched, and no set-aside folder exists without a journal.
            if (Directory.Exists(JobFolder))
                RestoreStaging.DeleteTree(JobFolder);
            return;
        }
        if (journal.Completing)
            throw new InvalidOperationException($"Restore job {_request.JobId} is completing and can no longer be rolled back.");

        var discard = Path.Join(JobFolder, DiscardName);
        RestoreStaging.CreatePrivateFolder(discard);
        // Last swapped first, the reverse of the swap.
        foreach (var state in journal.Components.Reverse())
        {
            var live = LivePath(state.Name);
            var aside = SetAsidePath(state.Name);
            var ready = ReadyPath(state.Name);
            var swappedIn = state.Step is InPlaceComponentState.MovingIn or InPlaceComponentState.Swapped
                && Lstat(ready) == EntryKind.Missing && Lstat(live) != EntryKind.Missing;
            if (swappedIn)
                Rename(live, Path.Join(discard, state.Name));
            // Whatever the journal's step: staging refused a set-aside name that was taken, so one there now is ours.
            if (state.LiveExisted && Lstat(aside) != EntryKind.Missing && Lstat(live) == EntryKind.Missing)
            {
                Rename(aside, live);
            }
        }

        WriteJournal(journal with { RolledBack = true });
        RestoreStaging.DeleteTree(JobFolder);
    }

    /// <summary>The staging and set-aside folders of in-place restore jobs in <paramref name="siteRoot"/> (resolved).</summary>
    public static IReadOnlyList<RestoreLeftover> FindLeftovers(string siteRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(siteRoot);
        var root = RealPath.Resolve(siteRoot);
        var found = new List<RestoreLeftover>();
        if (!Directory.Exists(root))
            return found;
        foreach (var path in Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal))
        {
            if (RestoreLeftover.Of(Path.GetFileName(path), path) is { } leftover)
                found.Add(leftover);
        }

        return found;
    }

    /// <summary>
    /// Ends the in-place restore jobs of <paramref name="siteRoot"/> that are not in <paramref name="runningJobIds"/>:
    /// one that had begun completing is completed, any other is rolled back (its set-aside folders put back). A
    /// set-aside folder without its job's staging folder is left (and reported): without the journal nothing says what
    /// it should be. Returns everything found, with what was done.
    /// </summary>
    public static IReadOnlyList<RestoreLeftover> CleanupLeftovers(string siteRoot, IReadOnlySet<string> runningJobIds)
    {
        ArgumentNullException.ThrowIfNull(runningJobIds);
        var found = FindLeftovers(siteRoot);
        var outcomes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (job, outcome) in RestoreLeftover.Triage(found, runningJobIds))
        {
            if (outcome is not null)
            {
                outcomes[job] = outcome;
                continue;
            }
            var restore = new InPlaceFileRestore(new InPlaceRestoreRequest(job, siteRoot));
            if (restore.ReadJournal() is { Completing: true })
            {
                restore.Complete();
                outcomes[job] = RestoreLeftover.Completed;
            }
            else
            {
                restore.Rollback();
                outcomes[job] = RestoreLeftover.RolledBack;
            }
        }

        return [.. found.Select(f => f with { Outcome = outcomes[f.JobId] })];
    }

    private bool WholeComponents => _request.OverwriteExisting && _items is null;

    private InPlaceRestoreJournal? ReadJournal()
    {
        if (!File.Exists(JournalPath) || Lstat(JournalPath) != EntryKind.File)
            return null;
        using var stream = RestoreStaging.OpenPrivateFile(JournalPath, FileMode.Open, FileAccess.Read);
        var journal = JsonSerializer.Deserialize<InPlaceRestoreJournal>(stream, JournalJson)
            ?? throw new InvalidOperationException($"{JournalPath} is empty");
        if (journal.JobId != _request.JobId)
            throw new InvalidOperationException($"{JournalPath} belongs to restore job {journal.JobId}");
        return journal;
    }

    private void WriteJournal(InPlaceRestoreJournal journal)
    {
        var temp = Path.Join(JobFolder, JournalTemp);
        using (var stream = RestoreStaging.OpenPrivateFile(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, journal, JournalJson);
            // On disk before it replaces the old one: after a power loss the journal is the old or the new one, whole.
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, JournalPath, overwrite: true);
    }

    private InPlaceRestoreJournal Save(InPlaceRestoreJournal journal, List<InPlaceComponentState> states, int i, string step)
    {
        states[i] = states[i] with { Step = step };
        var updated = journal with { Components = [.. states] };
        WriteJournal(updated);
        return updated;
    }

    /// <summary>
    /// Builds <c>ready/&lt;component&gt;</c> as a copy of the live component with the restored entries put in (see
    /// remarks of the class). Folders the restore did not select keep their live mode and time.
    /// </summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void MergeComponent(string component, EntryKind liveKind, string restoredComponent)
    {
        var ready = ReadyPath(component);
        switch (liveKind)
        {
            case EntryKind.Directory:
                CopyTree(LivePath(component), ready);
                break;
            case EntryKind.Missing:
                break;
            default:
                throw new InvalidOperationException(
                    $"{component} is not a folder in the live site: restore the whole component (without items, with overwrite) to replace it.");
        }

        // Modes and times of the folders touched, applied last (adding an entry changes its folder's time).
        var folders = new Dictionary<string, (UnixFileMode Mode, DateTime ModifiedAt)>(StringComparer.Ordinal);
        var readyRoot = Path.Join(JobFolder, ReadyName);
        void Remember(string path)
        {
            if (!folders.ContainsKey(path) && Lstat(path) == EntryKind.Directory)
                folders[path] = (File.GetUnixFileMode(path), Directory.GetLastWriteTimeUtc(path));
        }

        foreach (var (relative, kind) in Walk(restoredComponent, component))
        {
            var source = Path.Join(Path.Join(JobFolder, RestoredName), relative);
            var target = Path.Join(readyRoot, relative);
            var targetKind = Lstat(target);
            Remember(Path.GetDirectoryName(target)!);
            if (kind == EntryKind.Directory)
            {
                var backupMetadata = (File.GetUnixFileMode(source), Directory.GetLastWriteTimeUtc(source));
                if (targetKind == EntryKind.Directory)
                {
                    if (_request.OverwriteExisting && _items?.Includes(relative) != false)
                        folders[target] = backupMetadata;
                    else
                        Remember(target);
                    continue;
                }
                if (targetKind != EntryKind.Missing)
                    File.Delete(target);
                RestoreStaging.CreatePrivateFolder(target);
                folders[target] = backupMetadata;
                continue;
            }

            if (targetKind == EntryKind.Directory)
                RestoreStaging.DeleteTree(target);
            else if (targetKind != EntryKind.Missing)
                File.Delete(target);
            // A rename inside the staging folder: the restored file keeps its checked bytes, mode and time.
            File.Move(source, target);
        }

        foreach (var (path, (mode, modifiedAt)) in folders.OrderByDescending(f => f.Key, StringComparer.Ordinal))
        {
            File.SetUnixFileMode(path, mode);
            Directory.SetLastWriteTimeUtc(path, modifiedAt);
        }
    }

    /// <summary>Copies a live folder into staging: bytes, modes, times, empty folders, links as they are (never followed).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static void CopyTree(string source, string target)
    {
        RestoreStaging.CreatePrivateFolder(target);
        foreach (var child in Directory.EnumerateFileSystemEntries(source).Order(StringComparer.Ordinal))
        {
            var to = Path.Join(target, Path.GetFileName(child));
            switch (Lstat(child))
            {
                case EntryKind.Directory:
                    CopyTree(child, to);
                    break;
                case EntryKind.Link:
                    File.CreateSymbolicLink(to, new FileInfo(child).LinkTarget!);
                    break;
                case EntryKind.File:
                    File.Copy(child, to);
                    File.SetUnixFileMode(to, File.GetUnixFileMode(child) & PermissionBits);
                    File.SetLastWriteTimeUtc(to, File.GetLastWriteTimeUtc(child));
                    break;
                case EntryKind.Missing:
                    break;
                default:
                    throw new InvalidOperationException($"{child} is a special file (FIFO, socket or device), which an in-place restore cannot keep.");
            }
        }

        File.SetUnixFileMode(target, File.GetUnixFileMode(source) & PermissionBits);
        Directory.SetLastWriteTimeUtc(target, Directory.GetLastWriteTimeUtc(source));
    }

    /// <summary>Files, links and special files below a live folder that the staged one does not have (they go with the swap).</summary>
    private static long CountMissing(string live, string staged)
    {
        long missing = 0;
        foreach (var child in Directory.EnumerateFileSystemEntries(live))
        {
            var other = Path.Join(staged, Path.GetFileName(child));
            var kind = Lstat(child);
            if (kind == EntryKind.Directory)
            {
                missing += Lstat(other) == EntryKind.Directory ? CountMissing(child, other) : CountBelow(child);
            }
            else if (kind != EntryKind.Missing && Lstat(other) == EntryKind.Missing)
            {
                missing++;
            }
        }

        return missing;
    }

    private static long CountBelow(string folder) =>
        Directory.EnumerateFileSystemEntries(folder).Sum(child => Lstat(child) == EntryKind.Directory ? CountBelow(child) : 1);

    /// <summary>Every entry below <paramref name="folder"/> (a real folder of staging) pre-order, '/'-separated from its parent, never through a link.</summary>
    private static IEnumerable<(string Relative, EntryKind Kind)> Walk(string folder, string relative)
    {
        var kind = Lstat(folder);
        yield return (relative, kind);
        if (kind != EntryKind.Directory)
            yield break;
        foreach (var child in Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList())
        {
            foreach (var entry in Walk(child, relative + "/" + Path.GetFileName(child)))
                yield return entry;
        }
    }

    private static void Rename(string from, string to)
    {
        // rename(2) without following links, refusing to replace anything (Directory.Move refuses an existing target).
        if (Lstat(from) == EntryKind.Directory)
            Directory.Move(from, to);
        else if (Path.Exists(to) || Lstat(to) != EntryKind.Missing)
            throw new IOException($"{to} exists");
        else
            File.Move(from, to);
    }

    internal enum EntryKind
    {
        Missing,
        Directory,
        File,
        Link,
        Special,
    }

    /// <summary>What is at <paramref name="path"/> itself (lstat: a link is a link).</summary>
    internal static EntryKind Lstat(string path)
    {
        if (Syscall.lstat(path, out var stat) != 0)
        {
            var errno = Stdlib.GetLastError();
            if (errno is Errno.ENOENT or Errno.ENOTDIR)
                return EntryKind.Missing;
            throw new IOException($"{path}: {UnixMarshal.GetErrorDescription(errno)}");
        }

        return (stat.st_mode & FilePermissions.S_IFMT) switch
        {
            FilePermissions.S_IFDIR => EntryKind.Directory,
            FilePermissions.S_IFREG => EntryKind.File,
            FilePermissions.S_IFLNK => EntryKind.Link,
            _ => EntryKind.Special,
        };
    }


    /// <summary>Decides, entry by entry during the extraction, what is written, and counts it.</summary>
    private sealed class Selection(InPlaceFileRestore restore)
    {
        private FileIndexEntry? _current;
        private string? _lastRealFolder;

        public BinaryWriter? List { get; set; }

        /// <summary>Adds another volume's counts to these.</summary>
        public void Add(Selection other)
        {
            Created += other.Created;
            Overwritten += other.Overwritten;
            Skipped += other.Skipped;
            Bytes += other.Bytes;
        }

        public long Created { get; private set; }

        public long Overwritten { get; private set; }

        public long Skipped { get; private set; }

        public long Bytes { get; private set; }

        /// <summary>
        /// The index as the extraction reads it, remembering the entry last read: the extraction reads an entry's index
        /// entry just before it asks <see cref="Include"/> about it, which needs the entry's type and size.
        /// </summary>
        public async IAsyncEnumerable<FileIndexEntry> Watch(IAsyncEnumerable<FileIndexEntry> index)
        {
            await foreach (var entry in index)
            {
                _current = entry;
                yield return entry;
            }
        }

        public bool Include(string name)
        {
            var entry = _current is { } current && current.Path == name
                ? current
                : throw new InvalidOperationException($"{name}: the index entry was not read before the entry");
            var component = name.Split('/')[0];
            if (restore._components is { } components && !components.Contains(component))
                return false;
            if (restore._items is { } items && !items.Includes(name))
                return false;

            var live = LiveKind(name);
            if (entry.Type == FileIndexEntry.DirectoryType)
                return restore._request.OverwriteExisting || live == EntryKind.Missing;
            if (live != EntryKind.Missing && !restore._request.OverwriteExisting)
            {
                Skipped++;
                return false;
            }

            if (live == EntryKind.Missing)
                Created++;
            else
                Overwritten++;
            if (entry.Type == FileIndexEntry.FileType)
                Bytes += entry.Size;
            List!.Write(name);
            return true;
        }

        /// <summary>
        /// The live entry at <paramref name="name"/>, without following any link: below a link or a file counts as
        /// existing (something other than what the backup has is there).
        /// </summary>
        private EntryKind LiveKind(string name)
        {
            var slash = name.LastIndexOf('/');
            if (slash > 0)
            {
                var parent = name[..slash];
                if (parent != _lastRealFolder)
                {
                    for (var at = parent.IndexOf('/', StringComparison.Ordinal); ; at = parent.IndexOf('/', at + 1))
                    {
                        var above = at < 0 ? parent : parent[..at];
                        var kind = Lstat(Path.Join(restore.SiteRoot, above));
                        if (kind == EntryKind.Missing)
                            return EntryKind.Missing;
                        if (kind != EntryKind.Directory)
                            return kind;
                        if (at < 0)
                            break;
                    }
                    _lastRealFolder = parent;
                }
            }

            return Lstat(Path.Join(restore.SiteRoot, name));
        }
    }

    /// <summary>Checks restored entries in the live site against the index without following links.</summary>
    private sealed class LiveChecker(string siteRoot)
    {
        /// <summary>Files hashed at once (see <see cref="VerifyAsync"/>).</summary>
        public static readonly int Parallelism = Math.Clamp(Environment.ProcessorCount, 2, 8);

        private string? _lastRealFolder;

        /// <summary>Every folder above the entry is a real folder (not a link) of the live site; one check per folder.</summary>
        public void CheckFolders(FileIndexEntry entry)
        {
            var slash = entry.Path.LastIndexOf('/');
            if (slash <= 0 || entry.Path[..slash] == _lastRealFolder)
                return;
            var parent = entry.Path[..slash];
            for (var at = parent.IndexOf('/', StringComparison.Ordinal); ; at = parent.IndexOf('/', at + 1))
            {
                var above = at < 0 ? parent : parent[..at];
                if (Lstat(Path.Join(siteRoot, above)) != EntryKind.Directory)
                    throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: {above} is not a folder in the live site after the restore");
                if (at < 0)
                    break;
            }
            _lastRealFolder = parent;
        }

        /// <summary>The entry itself: a link with the index's target, or a file (opened without following a link) with its size and SHA-256.</summary>
        public static void CheckFile(string siteRoot, FileIndexEntry entry, CancellationToken cancellationToken)
        {
            var path = Path.Join(siteRoot, entry.Path);
            if (entry.Type == FileIndexEntry.SymbolicLinkType)
            {
                if (Lstat(path) != EntryKind.Link || new FileInfo(path).LinkTarget != entry.LinkTarget)
                    throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: not the restored symbolic link in the live site");
                return;
            }

            var descriptor = Syscall.open(path, OpenFlags.O_RDONLY | OpenFlags.O_NOFOLLOW | OpenFlags.O_CLOEXEC | OpenFlags.O_NONBLOCK);
            if (descriptor < 0)
                throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: not a file in the live site after the restore");
            using var file = new SafeFileHandle(descriptor, ownsHandle: true);
            if (Syscall.fstat(descriptor, out var stat) < 0 || (stat.st_mode & FilePermissions.S_IFMT) != FilePermissions.S_IFREG)
                throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: not a file in the live site after the restore");

            var (hash, size) = OpenFileHash.Compute(file, cancellationToken);
            if (size != entry.Size || !string.Equals(Convert.ToHexStringLower(hash), entry.Sha256, StringComparison.Ordinal))
                throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: the live file differs from the backup after the restore (size or SHA-256)");
        }
    }
}
