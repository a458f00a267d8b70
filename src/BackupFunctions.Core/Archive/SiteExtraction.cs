using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// One safe extraction into a staging folder beside the target (<c>&lt;target&gt;.restoring-&lt;random&gt;</c>, see
/// <see cref="RestoreStaging"/>): add one or more volumes — one after another or several at the same time, each with
/// its own input and its own entries of the index — then <see cref="Complete"/> moves the restored tree into
/// place. Disposing without completing removes the staging folder, so the target is never touched by a failed or
/// cancelled restore.
/// </summary>
/// <remarks>
/// <para>
/// Restored plaintext is never readable by another user, also when the process is killed midway: the staging folder
/// and every folder in it are created 0700, every file 0600, whatever the umask. The archive's real modes are applied
/// in <see cref="Complete"/> only, once everything is written and checked, just before the rename. The target is
/// resolved first (<see cref="RealPath"/>): a target that is a symbolic link (or lies below one) is restored into the
/// real folder, and the link stays as it was. Staging folders of restores that died in the same parent folder are
/// removed when an extraction begins (<see cref="RestoreStaging.RemoveStale"/>).
/// </para>
/// <para>
/// Refused (as <see cref="IntegrityException"/> naming the volume and the entry): absolute names, "." / ".." or empty
/// segments, entries below a symbolic link of the archive, duplicates (next to each other, among a folder's children,
/// any that would be written twice, or a folder where a link was), hard links, devices and other special entries,
/// symbolic links whose target is empty, holds a NUL or differs from the index, entries missing from the index, index
/// entries of the volume missing from the archive, entries out of the index's order, size or SHA-256 mismatches (the
/// rules that need no disk are <see cref="ArchiveEntryRules"/>, which deep verification applies too). Modes are
/// restored as permission bits only (no setuid/setgid/sticky); owners are not restored.
/// </para>
/// <para>
/// Symbolic links are restored exactly as they were stored, also those whose target is absolute or leads out of the
/// site: the site had them, and a restore that refused them would make such a backup unrestorable. They are named in
/// <see cref="OutsideLinks"/>. Nothing is ever written, chmod'ed or time-stamped through a link: no entry may lie below
/// one, and the links are created only in <see cref="Complete"/>, after every file is written and has its mode, and
/// before the folders get theirs — so while anything is written or chmod'ed by name there is no link in the tree at
/// all, and the folders that are chmod'ed and time-stamped after are checked not to be links. A link's own mode and
/// time are not restored (Linux ignores a link's mode).
/// </para>
/// <para>
/// Memory does not grow with the number of files: the index is read in step with the tar (<see cref="FileIndexCursor"/>)
/// and never held. What is kept until <see cref="Complete"/> is one small record per folder written (its mode and time
/// can only be set once nothing more is written into it) and per symbolic link (created at the end, resolved through
/// each other there, and nothing may be written below one); both are far fewer than files in a site. The mode of each file
/// (when it is not 0600 already) waits in a scratch file of the staging folder (its name and two bytes), read back
/// once in <see cref="Complete"/>: a few bytes on disk per file, beside the file itself.
/// </para>
/// <para>
/// Volumes added at the same time share the rules (links), the folder records, the modes file and the creation of
/// folders, under one lock; file contents are written outside it. Every rule holds across volumes as within one: a
/// folder entry in two volumes is refused by name, a file by its <c>CreateNew</c>, a link when <see cref="Complete"/>
/// finds its name taken; an entry below a link of another volume is refused when the link came first, and the link
/// when it came last (links exist only from <see cref="Complete"/> on, so nothing is written through one either way).
/// </para>
/// </remarks>
public sealed class SiteExtraction : IDisposable
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0x1FF;
    private const string ModesFile = "modes";
    private const string NewFolderProbe = "new-folder";

    private readonly RestoreStaging _staging;

    /// <summary>The restored tree inside the staging folder.</summary>
    private readonly string _root;

    /// <summary>Files whose mode is applied in <see cref="Complete"/>: created on the first one.</summary>
    private BinaryWriter? _modes;

    /// <summary>The rules that need no disk, and every symbolic link of the archive so far (created in <see cref="Complete"/>).</summary>
    private readonly ArchiveEntryRules _rules = new();

    /// <summary>
    /// Folder entries, in the order their volumes reached them ('/'-separated names): their modes and times are set last.
    /// Written is false for a folder a filter skipped: it gets its mode all the same when a later volume (with the
    /// folder's files, whose folder entry was in an earlier volume) needed it after all.
    /// </summary>
    private readonly List<(string Name, UnixFileMode Mode, DateTimeOffset ModifiedAt, bool Written)> _directories = [];

    /// <summary>The names in <see cref="_directories"/>: a folder entry in two volumes is a duplicate.</summary>
    private readonly HashSet<string> _directoryNames = new(StringComparer.Ordinal);

    /// <summary>
    /// Volumes may be added in parallel (one task each): what they share — the rules (links), the folders, the modes
    /// file and the creation of folders — is changed under this lock; file contents are written outside it.
    /// </summary>
    private readonly Lock _gate = new();
    private readonly Lock _progressGate = new();

    private long _files;
    private long _bytes;
    private long _reusedFiles;
    private int _running;
    private bool _broken;
    private bool _completed;

    private SiteExtraction(string target, RestoreStaging staging)
    {
        TargetDirectory = target;
        _staging = staging;
        _root = staging.Tree;
    }

    /// <summary>The resolved target (symbolic links along the path replaced by what they point to).</summary>
    public string TargetDirectory { get; }

    /// <summary>The staging folder beside the target; the restored tree is a folder inside it.</summary>
    public string StagingDirectory => _staging.Folder;

    /// <summary>
    /// Optional (null: every file is written from the archive): the live files that may already hold the bytes of the
    /// archive's files; the index given to <see cref="AddVolumeAsync(Stream, string, IAsyncEnumerable{FileIndexEntry}, Func{string, bool}?, IProgress{ArchiveProgress}?, CancellationToken)"/>
    /// must then come through its <see cref="LiveFileReuse.Watch"/>. A file it proves (size, mode, time and SHA-256 of
    /// the index, see there) is hard-linked into staging instead of written; its archive entry is read and checked in
    /// full all the same. Never chmod'ed or time-stamped: its metadata equals the entry's. Any failure to link writes
    /// the file as usual.
    /// </summary>
    /// <remarks>
    /// Saves writing (and, for a restore over a live site, later freeing) every unchanged file. The reused inode is
    /// shared with the live file until the live one is removed: whoever writes the live file meanwhile writes the
    /// restored one too, so the caller must check the restored files once they are in place.
    /// </remarks>
    public LiveFileReuse? Reuse { get; set; }

    /// <summary>Files hard-linked from <see cref="Reuse"/> (or a volume's own reuse) instead of written.</summary>
    public long ReusedFiles => Interlocked.Read(ref _reusedFiles);

    /// <summary>Files and links written (or, with a filter, checked and written) and their bytes, over every volume so far.</summary>
    public ArchiveProgress Totals => new(Interlocked.Read(ref _files), Interlocked.Read(ref _bytes));

    /// <summary>What the extraction holds until <see cref="Complete"/>: folder entries and symbolic links, never files.</summary>
    internal int RetainedEntries => _directories.Count + _rules.Links;

    /// <summary>A private scratch file's path in the staging folder (beside the restored tree, removed with it).</summary>
    internal string Scratch(string name) => _staging.Scratch(name);

    /// <summary>
    /// Set by <see cref="Complete"/>: the restored symbolic links whose target is absolute, leads out of the restored
    /// folder or does not resolve (the first <see cref="OutsideLink.MaxListed"/>; <see cref="OutsideLinkCount"/> counts
    /// them all). Restored as they were: a note for the operator, not an error.
    /// </summary>
    public IReadOnlyList<OutsideLink> OutsideLinks { get; private set; } = [];

    public long OutsideLinkCount { get; private set; }

    /// <summary>
    /// Resolves <paramref name="targetDirectory"/> (<see cref="RealPath"/>), checks that it does not exist or is empty
    /// (else <see cref="InvalidOperationException"/> naming it), removes stale staging folders beside it and creates
    /// this extraction's staging folder there.
    /// </summary>
    public static SiteExtraction Begin(string targetDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var target = RealPath.Resolve(targetDirectory);
        EnsureEmptyOrMissing(target);
        var parent = Path.GetDirectoryName(target);
        if (string.IsNullOrEmpty(parent))
            throw new InvalidOperationException($"restore target {target} has no parent folder for staging");
        Directory.CreateDirectory(parent);
        RestoreStaging.RemoveStale(parent);
        return new SiteExtraction(target, RestoreStaging.Create(parent, Path.GetFileName(target)));
    }

    /// <summary>
    /// Extracts one volume into staging and checks it against the entries of <paramref name="index"/> whose
    /// <see cref="FileIndexEntry.Volume"/> is <paramref name="volumeName"/> (others are ignored). Returns the totals of
    /// the whole extraction so far. Reads <paramref name="tarInput"/> to its end.
    /// </summary>
    public Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IReadOnlyList<FileIndexEntry> index,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        => AddVolumeAsync(tarInput, volumeName, index, include: null, progress, cancellationToken);

    /// <summary>
    /// As <see cref="AddVolumeAsync(Stream, string, IReadOnlyList{FileIndexEntry}, IProgress{ArchiveProgress}?, CancellationToken)"/>,
    /// writing only the entries whose '/'-separated path <paramref name="include"/> accepts, plus the folders above
    /// them (so their modes and times are restored too). Every entry is still checked against the index; skipped
    /// entries are read past, not written. Null includes everything.
    /// </summary>
    public Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IReadOnlyList<FileIndexEntry> index,
        Func<string, bool>? include,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        return AddVolumeAsync(tarInput, volumeName, index.ToAsyncEnumerable(), include, progress, cancellationToken);
    }

    /// <summary>
    /// As <see cref="AddVolumeAsync(Stream, string, IReadOnlyList{FileIndexEntry}, Func{string, bool}?, IProgress{ArchiveProgress}?, CancellationToken)"/>,
    /// reading the index as it goes (e.g. <see cref="FileIndex.ReadEntriesAsync"/> over the index part): its entries of
    /// this volume must come in the order of the tar, as the backup writes them. The index is enumerated once, to its
    /// end, so a verifying stream below it is checked before this returns.
    /// </summary>
    public Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IAsyncEnumerable<FileIndexEntry> index,
        Func<string, bool>? include,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        => AddVolumeAsync(tarInput, volumeName, index, include, Reuse, progress, cancellationToken);

    /// <summary>
    /// As above, with this volume's own <paramref name="reuse"/> (null: none) instead of <see cref="Reuse"/>: volumes
    /// added in parallel each read their own part of the index, so each needs its own look-ahead. Safe to call for
    /// several volumes at once (each with its own input and index); a folder, file or link in two volumes is refused as
    /// within one. Returns the totals of the whole extraction so far.
    /// </summary>
    public Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        string volumeName,
        IAsyncEnumerable<FileIndexEntry> index,
        Func<string, bool>? include,
        LiveFileReuse? reuse,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(volumeName);
        return AddVolumeAsync(tarInput, IndexGroup.Own(volumeName), index, include, reuse, progress, cancellationToken);
    }

    /// <summary>
    /// As above for one group of the index (<see cref="IndexGroup"/>): the backup's own volume, or a volume of an
    /// earlier backup that the group's entries point into. A referenced volume is read sparsely: its tar entries that
    /// the group does not list are read past (TarReader skips their data), each listed one must come in order and is
    /// checked and written as any file; a listed one missing at the tar's end is damage. Errors name the volume by the
    /// group's <see cref="IndexGroup.Label"/>.
    /// </summary>
    public async Task<ArchiveProgress> AddVolumeAsync(
        Stream tarInput,
        IndexGroup group,
        IAsyncEnumerable<FileIndexEntry> index,
        Func<string, bool>? include,
        LiveFileReuse? reuse,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tarInput);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(index);
        var volumeName = group.Label;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            if (_broken)
                throw new InvalidOperationException("a previous volume of this extraction failed");
            _running++;
        }

        var succeeded = false;
        try
        {
            await using var cursor = new FileIndexCursor(index, group, cancellationToken);
            var volume = new VolumeState(volumeName, cursor, include, reuse);
            await using (var reader = new TarReader(tarInput, leaveOpen: true))
            {
                while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
                {
                    // A referenced volume holds the earlier backup's whole site: what this backup does not list there
                    // is read past, unchecked and unwritten (its bytes were proven by the volume's stored hash).
                    if (!await cursor.ListsAsync(ArchiveEntryRules.LooseName(entry)))
                        continue;
                    await ExtractEntryAsync(entry, volume, cancellationToken);
                    ReportTotals(progress);
                }
            }

            // Whatever follows the end-of-archive marker is read too, so that a verifying (decrypting) stream below
            // checks the end of the volume.
            await tarInput.CopyToAsync(Stream.Null, cancellationToken);
            await cursor.EndAsync();
            succeeded = true;
        }
        finally
        {
            lock (_gate)
            {
                _running--;
                // A failed volume breaks the whole extraction: what it wrote is half a volume.
                if (!succeeded)
                    _broken = true;
            }
        }

        return Totals;
    }

    /// <summary>
    /// Reports <see cref="Totals"/>, read and reported under one lock: volumes extracted in parallel would otherwise
    /// report them out of order, and a job's progress would step back.
    /// </summary>
    private void ReportTotals(IProgress<ArchiveProgress>? progress)
    {
        if (progress is null)
            return;
        lock (_progressGate)
            progress.Report(Totals);
    }

    /// <summary>What one volume's extraction keeps for itself (never shared between volumes added in parallel).</summary>
    private sealed class VolumeState(string name, FileIndexCursor cursor, Func<string, bool>? include, LiveFileReuse? reuse)
    {
        public string Name { get; } = name;
        public FileIndexCursor Cursor { get; } = cursor;
        public Func<string, bool>? Include { get; } = include;
        public LiveFileReuse? Reuse { get; } = reuse;

        /// <summary>
        /// The folder entries of this volume above the current entry (outermost first) and whether each was written:
        /// with a filter, a folder is written only once something below it is.
        /// </summary>
        public List<(string Name, UnixFileMode Mode, DateTimeOffset ModifiedAt, bool Written)> Above { get; } = [];

        /// <summary>The folder the previous file of this volume went to (known to exist).</summary>
        public string? LastFolder { get; set; }
    }

    /// <summary>
    /// Applies the archive's modes to the files, creates the symbolic links, applies the folders' modes and times, gives
    /// the restored folder itself the mode a new folder gets (as <c>mkdir</c> would), and moves the tree into place (the
    /// target must still be missing or empty). The staging folder is removed. <see cref="OutsideLinks"/> then names the
    /// links that point out of the restored folder.
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        lock (_gate)
        {
            if (_broken)
                throw new InvalidOperationException("a volume of this extraction failed");
            if (_running > 0)
                throw new InvalidOperationException("a volume of this extraction is still being added");
        }

        var (outsideLinks, outsideLinkCount) = _rules.OutsideLinks();

        // Everything is written and checked: only now may anything become readable by others. The files first, while
        // the tree holds no link at all: a chmod by name cannot reach anything but the file this extraction created.
        if (!OperatingSystem.IsWindows())
            ApplyFileModes();

        // The links now, before the folders get their (possibly read-only) modes and their times (a new link would
        // change its folder's time). Each goes into a folder of the tree (no entry lies below a link), where nothing
        // may exist under its name yet.
        foreach (var (name, target, volume) in _rules.WrittenLinks)
        {
            var fullPath = StagingPath(name);
            Create(name, fullPath, volume, () => File.CreateSymbolicLink(fullPath, target));
        }

        // Deepest first is not needed for correctness (chmod/utime of a child leave the parent's mtime alone), but
        // reverse order keeps a read-only parent from mattering at all. chmod and utime follow links: each folder is
        // one this extraction made, and no link can have its name (creating it would have failed above) — checked
        // again here, since a link reaching them would change something outside the tree.
        for (var i = _directories.Count - 1; i >= 0; i--)
        {
            var (name, mode, modifiedAt, written) = _directories[i];
            var fullPath = StagingPath(name);
            if (new DirectoryInfo(fullPath).LinkTarget is not null)
                throw new InvalidOperationException($"{name}: a folder of the restore became a symbolic link");
            // A folder a filter skipped in its own volume exists only when another volume wrote below it.
            if (!written && !Directory.Exists(fullPath))
                continue;
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(fullPath, mode);
            Directory.SetLastWriteTimeUtc(fullPath, modifiedAt.UtcDateTime);
        }

        if (!OperatingSystem.IsWindows())
        {
            // The site root is not in the archive: it gets what a new folder gets (0777 less the umask), as it did
            // when the staging folder was made by a plain mkdir.
            var probe = _staging.Scratch(NewFolderProbe);
            Directory.CreateDirectory(probe);
            var newFolderMode = File.GetUnixFileMode(probe);
            Directory.Delete(probe);
            File.SetUnixFileMode(_root, newFolderMode);
        }

        EnsureEmptyOrMissing(TargetDirectory);
        if (Directory.Exists(TargetDirectory))
            Directory.Delete(TargetDirectory);
        Directory.Move(_root, TargetDirectory);
        _completed = true;
        _staging.Dispose();
        OutsideLinks = outsideLinks;
        OutsideLinkCount = outsideLinkCount;
    }

    /// <summary>Removes the staging folder unless the extraction completed.</summary>
    public void Dispose()
    {
        if (_completed)
            return;
        _completed = true;
        _modes?.Dispose();
        _staging.Dispose();
    }

    private async Task ExtractEntryAsync(TarEntry entry, VolumeState volume, CancellationToken cancellationToken)
    {
        var volumeName = volume.Name;
        string name, type;
        lock (_gate)
            (name, type) = _rules.Check(entry, volumeName);
        var fullPath = SafeFullPath(name)
            ?? throw new IntegrityException(volumeName, $"{entry.Name}: unsafe path (absolute, '..' or outside the target)");
        var indexed = await volume.Cursor.NextAsync(name, type);
        var write = volume.Include is null || volume.Include(name);
        var above = volume.Above;
        while (above.Count > 0 && !FileIndexCursor.IsBelow(name, above[^1].Name))
            above.RemoveAt(above.Count - 1);

        lock (_gate)
        {
            if (type == FileIndexEntry.SymbolicLinkType)
                _rules.AddLink(name, entry.LinkName, indexed, volumeName, write);
            if (write)
            {
                // The folders above come first, whether or not the filter named them (their modes and times too).
                for (var i = 0; i < above.Count; i++)
                {
                    if (!above[i].Written)
                    {
                        // Its record in _directories says not written; it now exists, so Complete applies its mode.
                        EnsureFolder(StagingPath(above[i].Name), volumeName);
                        above[i] = above[i] with { Written = true };
                    }
                }
            }

            switch (type)
            {
                case FileIndexEntry.DirectoryType:
                    // Remembered also when the filter skips it: another volume may write below it (see _directories).
                    if (!_directoryNames.Add(name))
                        throw new IntegrityException(volumeName, $"{name}: appears twice in the archives");
                    if (write)
                        EnsureFolder(fullPath, volumeName);
                    _directories.Add((name, entry.Mode & PermissionBits, entry.ModificationTime, write));
                    above.Add((name, entry.Mode & PermissionBits, entry.ModificationTime, write));
                    return;

                case FileIndexEntry.SymbolicLinkType:
                    // Created in Complete; its folder now, and nothing may be there under its name (a folder or file
                    // entry before it, in this volume or another). The tree holds no link yet, so Path.Exists follows
                    // none. One that comes first and an entry of the same name after it fail in Complete, whose link
                    // creation finds the name taken.
                    if (!write)
                        return;
                    EnsureFolder(Path.GetDirectoryName(fullPath)!, volumeName);
                    if (Path.Exists(fullPath))
                        throw new IntegrityException(volumeName, $"{name}: appears twice in the archives");
                    Interlocked.Increment(ref _files);
                    return;
            }
        }

        // Not written: checked against the index above and read past (TarReader skips the unread data).
        if (write)
            await ExtractFileAsync(entry, name, fullPath, indexed, volume, cancellationToken);
    }

    /// <summary>
    /// Creates a folder of the tree and any missing folder above it, each 0700. Under the lock: two volumes may need the
    /// same folder (one holds its entry, the other files in it).
    /// </summary>
    private void EnsureFolder(string fullPath, string volumeName)
    {
        if (Directory.Exists(fullPath))
            return;
        if (Path.Exists(fullPath) || new FileInfo(fullPath).LinkTarget is not null)
            throw new IntegrityException(volumeName, $"{Path.GetRelativePath(_root, fullPath).Replace(Path.DirectorySeparatorChar, '/')}: appears twice in the archives (a file and a folder)");
        var parent = Path.GetDirectoryName(fullPath)!;
        if (parent.Length > _root.Length)
            EnsureFolder(parent, volumeName);
        RestoreStaging.CreatePrivateFolder(fullPath);
    }

    /// <summary>Notes a file whose mode is applied in <see cref="Complete"/>. Under the lock.</summary>
    private void DeferMode(string name, UnixFileMode mode)
    {
        _modes ??= new BinaryWriter(
            RestoreStaging.OpenPrivateFile(_staging.Scratch(ModesFile), FileMode.CreateNew, FileAccess.Write, bufferSize: 64 * 1024),
            Encoding.UTF8, leaveOpen: false);
        _modes.Write(name);
        _modes.Write((ushort)mode);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void ApplyFileModes()
    {
        if (_modes is null)
            return;
        _modes.Dispose();
        _modes = null;
        using var reader = new BinaryReader(
            RestoreStaging.OpenPrivateFile(_staging.Scratch(ModesFile), FileMode.Open, FileAccess.Read, bufferSize: 64 * 1024), Encoding.UTF8);
        var length = reader.BaseStream.Length;
        while (reader.BaseStream.Position < length)
        {
            var name = reader.ReadString();
            // The file was created by this extraction (new, 0600) inside the private tree: no link can stand in for it.
            File.SetUnixFileMode(StagingPath(name), (UnixFileMode)reader.ReadUInt16());
        }
    }

    /// <summary>
    /// Creates a file or link that must be new: staging started empty, so anything already there means the archive
    /// names the path twice (or a folder and a file share it).
    /// </summary>
    private static T Create<T>(string name, string fullPath, string volumeName, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (IOException) when (Path.Exists(fullPath) || new FileInfo(fullPath).LinkTarget is not null)
        {
            throw new IntegrityException(volumeName, $"{name}: appears twice in the archives");
        }
    }

    private async Task ExtractFileAsync(
        TarEntry entry, string name, string fullPath, FileIndexEntry indexed, VolumeState volume, CancellationToken cancellationToken)
    {
        var volumeName = volume.Name;
        if (entry.Length != indexed.Size)
            throw new IntegrityException(volumeName, $"{name}: {entry.Length} bytes in the archive, {indexed.Size} in the index");
        byte[] expectedHash;
        try
        {
            expectedHash = Convert.FromHexString(indexed.Sha256 ?? "");
        }
        catch (FormatException)
        {
            expectedHash = [];
        }

        if (expectedHash.Length != SHA256.HashSizeInBytes)
            throw new IntegrityException(volumeName, $"{name}: the index has no valid SHA-256 for it");

        var folder = Path.GetDirectoryName(fullPath)!;
        // Files come folder by folder: one check per folder, not a stat per file.
        if (!string.Equals(folder, volume.LastFolder, StringComparison.Ordinal))
        {
            lock (_gate)
                EnsureFolder(folder, volumeName);
            volume.LastFolder = folder;
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
        try
        {
            // A reused live file already has the entry's bytes, mode and time: nothing is written to it, and the
            // archive's data is only read through the hash below (the backup is proven in every case).
            var reused = false;
            if (volume.Reuse is { } reuse && (int)(entry.Mode & PermissionBits) == indexed.Mode && entry.ModificationTime == indexed.ModifiedAt)
            {
                using var proof = await reuse.TakeAsync(name);
                reused = proof?.TryLinkTo(fullPath) == true;
            }
            // Synchronous, unbuffered writes of whole 128 KiB blocks: on Linux an "asynchronous" FileStream only moves
            // each write to the thread pool, which costs more than the write for the many small files of a site.
            // Created 0600: the archive's mode is applied in Complete.
            using var output = reused ? null : Create(name, fullPath, volumeName,
                () => RestoreStaging.OpenPrivateFile(fullPath, FileMode.CreateNew, FileAccess.Write));
            if (entry.DataStream is { } data)
            {
                int read;
                while ((read = await data.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    output?.Write(buffer, 0, read);
                    written += read;
                    Interlocked.Add(ref _bytes, read);
                }
            }

            if (written != indexed.Size)
                throw new IntegrityException(volumeName, $"{name}: {written} bytes read, {indexed.Size} in the index");
            if (!CryptographicOperations.FixedTimeEquals(hash.GetHashAndReset(), expectedHash))
                throw new IntegrityException(volumeName, $"{name}: SHA-256 does not match the index");

            if (output is null)
            {
                // Never chmod'ed or time-stamped: that would change the live file (its metadata equals the entry's).
                Interlocked.Increment(ref _reusedFiles);
            }
            else
            {
                // The time through the open handle (no second path lookup per file): it grants nothing, and nothing
                // changes a file's mtime once it is closed (a later chmod changes only its ctime). The mode waits for
                // Complete.
                File.SetLastWriteTimeUtc(output.SafeFileHandle, entry.ModificationTime.UtcDateTime);
                if (!OperatingSystem.IsWindows() && (entry.Mode & PermissionBits) != RestoreStaging.PrivateFileMode)
                {
                    lock (_gate)
                        DeferMode(name, entry.Mode & PermissionBits);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        Interlocked.Increment(ref _files);
    }

    private string StagingPath(string name) => Path.Combine(_root, name.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>
    /// The full path inside staging of a name <see cref="ArchiveEntryRules"/> accepted, or null when it would not stay
    /// inside after all (it cannot: a plain relative path; checked again because the write depends on it).
    /// </summary>
    private string? SafeFullPath(string name)
    {
        var fullPath = Path.GetFullPath(Path.Combine(_root, name));
        return fullPath.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? fullPath : null;
    }

    private static void EnsureEmptyOrMissing(string target)
    {
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
            throw new InvalidOperationException($"restore target {target} exists and is not empty");
    }
}
