using System.Globalization;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using Npgsql;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The dry run of a restore: what it would create, overwrite, delete or leave unchanged in the live site, what it would
/// do to each table of the live database, and warnings (disk space, server version, a newer backup). It reads the
/// backup's manifest (MAC checked) and its file index only — never a file volume or the dump — and the live targets
/// without changing them, so it answers in seconds and may be repeated (a Durable retry) at will.
/// </summary>
/// <remarks>
/// The live site is walked (links never followed) in step with the index, both in archive order, so memory holds the
/// listed paths and one folder chain, not the site. A file is unchanged when size, mtime and mode match; when only the
/// mtime differs its SHA-256 is compared with the index's (a touched file is unchanged). See docs/design.md, "Restore preview".
/// </remarks>
public sealed class RestorePreviewer
{
    /// <summary>Tables PostgreSQL estimates at or above this many rows get the estimate, not a count(*).</summary>
    public const long ExactCountMaxRows = 100_000;

    /// <summary>Tables whose heap is at or above this size get the estimate too (reltuples may be unknown, -1, before the first analyze).</summary>
    public const long ExactCountMaxBytes = 256L * 1024 * 1024;

    /// <summary>Free space asked beyond the bytes written: a tenth of them, at least this much.</summary>
    public const long MinimumSpaceMargin = 64L * 1024 * 1024;

    private const string LiveTablesSql =
        "SELECT format('%I.%I', n.nspname, c.relname), c.reltuples::bigint, pg_catalog.pg_relation_size(c.oid)\n"
        + PostgresDumper.UserTablesFromWhere + "\nORDER BY n.nspname, c.relname";

    private const string InvalidCatalogName = "3D000";

    private readonly IKeyEncryptionKey? _keyEncryptionKey;
    private readonly Func<string, long> _freeSpace;

    public RestorePreviewer(IKeyEncryptionKey? keyEncryptionKey)
        : this(keyEncryptionKey, FreeSpaceOf)
    {
    }

    /// <param name="freeSpace">Free bytes on the file system holding an existing folder (tests give a small disk).</param>
    internal RestorePreviewer(IKeyEncryptionKey? keyEncryptionKey, Func<string, long> freeSpace)
    {
        _keyEncryptionKey = keyEncryptionKey;
        _freeSpace = freeSpace;
    }

    public async Task<RestorePreview> PreviewAsync(RestorePreviewRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Store);
        ArgumentNullException.ThrowIfNull(request.Components);
        var selection = RestoreSelection.Parse(request.Items);
        var components = request.TargetRoot is null ? [] : SiteWalker.NormalizeComponents(request.Components);

        var folder = request.Folder;
        var (unverified, _) = await StoredManifest.ReadAsync(request.Store, folder, cancellationToken);
        var dataKey = await ManifestKeys.OpenAsync(unverified, _keyEncryptionKey, request.AllowUnencrypted, cancellationToken);
        try
        {
            var manifest = unverified.Verify(dataKey, request.BackupId);
            var warnings = new List<RestoreWarning>();
            if (request.NewestBackupCreatedAt is { } newest && newest > manifest.CreatedAt)
            {
                warnings.Add(new RestoreWarning(RestoreWarning.NewerBackup,
                    $"Backup {manifest.BackupId} was made {manifest.CreatedAt:u}; a newer successful backup of this config exists ({newest:u})."));
            }

            FilePreview? files = null;
            if (request.TargetRoot is { } root)
            {
                // A folder that is not there yet is an empty site: everything would be created.
                var walk = Directory.Exists(root) ? SiteWalker.Walk(root, components, openFiles: true) : [];
                files = await PreviewFilesAsync(
                    request, manifest, dataKey, components, selection,
                    walk.Select(e => new LiveEntry(e.Name, e.Size, (backup, ct) => SameAsync(e, backup, ct))), cancellationToken);
                CheckSpace(root, files, warnings);
            }
            else if (request.LiveSite is { } site)
            {
                var siteComponents = SiteWalker.NormalizeComponents(request.Components);
                var order = new ComponentOrder(siteComponents);
                var walk = site.Walk(_ => { }).Where(e => order.Contains(e.Path));
                files = await PreviewFilesAsync(
                    request, manifest, dataKey, siteComponents, selection,
                    walk.Select(e => new LiveEntry(e.Path, e.Size, (backup, _) => Task.FromResult(Same(site, e, backup)))), cancellationToken);
            }

            DatabasePreview? database = null;
            if (request.TargetDatabase is { } target && manifest.Database is { } dumped)
            {
                database = await PreviewDatabaseAsync(target, dumped, selection, cancellationToken);
                CheckVersion(database, warnings);
            }

            return new RestorePreview(manifest.BackupId, manifest.CreatedAt, files, database, warnings);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>One live entry as the comparison needs it: its name, its size and whether it equals the backup's entry.</summary>
    private sealed record LiveEntry(string Name, long Size, Func<FileIndexEntry, CancellationToken, Task<bool>> SameAsync);

    /// <param name="liveSite">The live site's entries in walk order (the components' only), read in step with the index.</param>
    private static async Task<FilePreview> PreviewFilesAsync(
        RestorePreviewRequest request, BackupManifest manifest, byte[] dataKey, List<string> components,
        RestoreSelection selection, IEnumerable<LiveEntry> liveSite, CancellationToken cancellationToken)
    {
        var groups = new Groups();
        if (!selection.AnyFiles || components.Count == 0)
            return groups.Build();
        var indexPart = manifest.Objects.SingleOrDefault(o => o.Name == ObjectNames.Index);
        var order = new ComponentOrder(components);

        // The index part is read to its end, so its stored hash, AEAD and size are checked: a preview of a damaged
        // index fails rather than answering from it.
        Stream indexStream = indexPart is null
            ? new MemoryStream([])
            : await PartReader.OpenAsync(request.Store, request.Folder + indexPart.Name, manifest.BackupId, indexPart, manifest, dataKey, cancellationToken);
        // Several volumes (or an incremental backup's groups pointing into earlier backups) are each in walk order, but
        // not the index as a whole: their entries are put back into one walk order first (merged from scratch files).
        using var merge = indexPart is not null && new IndexGroups(manifest).Groups.Count > 1 ? new GroupMerge() : null;
        await using (indexStream)
        {
            var listed = merge is null
                ? FileIndex.ReadEntriesAsync(indexStream, cancellationToken)
                : await merge.SplitAsync(indexStream, manifest, e => order.Contains(e.Path) && selection.Includes(e.Path), order.Compare, cancellationToken);
            var backup = Ordered(listed, order, selection).GetAsyncEnumerator(cancellationToken);
            await using (backup)
            {
                using var live = liveSite.Where(e => selection.Includes(e.Name)).GetEnumerator();
                var hasLive = live.MoveNext();
                var hasBackup = await backup.MoveNextAsync();
                while (hasLive || hasBackup)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var compared = !hasLive ? 1 : !hasBackup ? -1 : order.Compare(live.Current.Name, backup.Current.Path);
                    if (compared < 0)
                    {
                        // As the restore does (InPlaceFileRestore): only a whole-component restore removes what the
                        // backup lacks; with items nothing is removed.
                        if (request.OverwriteExisting && selection.Everything)
                            groups.Delete.Add(live.Current.Name, live.Current.Size);
                        hasLive = live.MoveNext();
                    }
                    else if (compared > 0)
                    {
                        groups.Create.Add(backup.Current.Path, backup.Current.Size);
                        hasBackup = await backup.MoveNextAsync();
                    }
                    else
                    {
                        var entry = backup.Current;
                        if (await live.Current.SameAsync(entry, cancellationToken))
                            groups.Unchanged.Add(entry.Path, live.Current.Size);
                        else if (request.OverwriteExisting)
                            groups.Overwrite.Add(entry.Path, entry.Size);
                        else
                            groups.Skipped.Add(entry.Path, entry.Size);
                        hasLive = live.MoveNext();
                        hasBackup = await backup.MoveNextAsync();
                    }
                }
            }
            await indexStream.CopyToAsync(Stream.Null, cancellationToken);
        }
        return groups.Build();
    }

    /// <summary>
    /// The index's groups (<see cref="IndexGroups"/>: own volumes, then those pointing into earlier backups) merged into
    /// one walk order: the index is read once, its contract checked, the entries the preview needs written into one
    /// private scratch file per group (each in walk order already), then read back together, the smallest first. Memory
    /// holds one entry per group, never the index. The scratch folder (0700, in the temp folder) goes on dispose.
    /// </summary>
    private sealed class GroupMerge : IDisposable
    {
        private readonly string _folder = Path.Join(Path.GetTempPath(), "bf-preview-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

        public GroupMerge() => RestoreStaging.CreatePrivateFolder(_folder);

        public async Task<IAsyncEnumerable<FileIndexEntry>> SplitAsync(
            Stream index, BackupManifest manifest, Func<FileIndexEntry, bool> wanted, Comparison<string> order, CancellationToken cancellationToken)
        {
            var groups = new IndexGroups(manifest);
            var files = groups.Groups.Select((_, i) => Path.Join(_folder, i.ToString("D5", CultureInfo.InvariantCulture))).ToArray();
            var writers = new FileStream[files.Length];
            try
            {
                for (var i = 0; i < files.Length; i++)
                    writers[i] = RestoreStaging.OpenPrivateFile(files[i], FileMode.CreateNew, FileAccess.Write, 64 * 1024);
                await foreach (var entry in FileIndex.ReadEntriesAsync(index, cancellationToken))
                {
                    var at = groups.Place(entry);
                    if (wanted(entry))
                        await FileIndex.WriteEntryAsync(entry, writers[at], cancellationToken);
                }
                groups.End();
            }
            finally
            {
                foreach (var writer in writers)
                {
                    if (writer is not null)
                        await writer.DisposeAsync();
                }
            }
            return MergeAsync(files, order, cancellationToken);
        }

        private static async IAsyncEnumerable<FileIndexEntry> MergeAsync(
            string[] files, Comparison<string> order, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var streams = new List<FileStream>();
            var heads = new PriorityQueue<IAsyncEnumerator<FileIndexEntry>, string>(Comparer<string>.Create(order));
            try
            {
                foreach (var file in files)
                {
                    var stream = RestoreStaging.OpenPrivateFile(file, FileMode.Open, FileAccess.Read, 16 * 1024);
                    streams.Add(stream);
                    var entries = FileIndex.ReadEntriesAsync(stream, cancellationToken).GetAsyncEnumerator(cancellationToken);
                    if (await entries.MoveNextAsync())
                        heads.Enqueue(entries, entries.Current.Path);
                    else
                        await entries.DisposeAsync();
                }
                while (heads.TryDequeue(out var entries, out _))
                {
                    yield return entries.Current;
                    if (await entries.MoveNextAsync())
                        heads.Enqueue(entries, entries.Current.Path);
                    else
                        await entries.DisposeAsync();
                }
            }
            finally
            {
                while (heads.TryDequeue(out var entries, out _))
                    await entries.DisposeAsync();
                foreach (var stream in streams)
                    await stream.DisposeAsync();
            }
        }

        public void Dispose() => RestoreStaging.DeleteTree(_folder);
    }

    /// <summary>
    /// The index entries inside the restored components and the selection, checked to come in the walk's order (the
    /// merge depends on it; an index out of order is damaged, not merely different).
    /// </summary>
    private static async IAsyncEnumerable<FileIndexEntry> Ordered(
        IAsyncEnumerable<FileIndexEntry> entries, ComponentOrder order, RestoreSelection selection)
    {
        string? last = null;
        await foreach (var entry in entries)
        {
            if (!order.Contains(entry.Path) || !selection.Includes(entry.Path))
                continue;
            if (last is not null && order.Compare(last, entry.Path) >= 0)
                throw new IntegrityException(ObjectNames.Index, $"{entry.Path}: listed after {last}, out of the archive's order");
            last = entry.Path;
            yield return entry;
        }
    }

    /// <summary>
    /// Whether restoring <paramref name="backup"/> would leave <paramref name="live"/> as it is. Files: size, mode, and
    /// mtime — or, when only the mtime differs, the content's SHA-256. Folders: mode (their mtime follows their content).
    /// Links: the target text (a link's mode means nothing on Linux). A different kind is always a change.
    /// </summary>
    private static async Task<bool> SameAsync(SiteWalker.Entry live, FileIndexEntry backup, CancellationToken cancellationToken)
    {
        var sameMode = OperatingSystem.IsWindows() || (int)live.Mode == backup.Mode;
        switch (live.Kind)
        {
            case SiteWalker.Kind.Directory:
                return backup.Type == FileIndexEntry.DirectoryType && sameMode;
            case SiteWalker.Kind.SymbolicLink:
                return backup.Type == FileIndexEntry.SymbolicLinkType && string.Equals(live.LinkTarget, backup.LinkTarget, StringComparison.Ordinal);
            default:
                if (backup.Type != FileIndexEntry.FileType || live.Size != backup.Size || !sameMode)
                    return false;
                if (live.ModifiedAt == backup.ModifiedAt)
                    return true;
                if (live.Content is not { } handle || backup.Sha256 is null)
                    return false;
                return Sha256(handle, backup.Size, cancellationToken) is { } hash
                       && string.Equals(hash, backup.Sha256, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// <see cref="SameAsync"/> for a site that is not a local folder, from its listing alone: no file is read (a preview
    /// answers in seconds; hashing a whole remote site would not). A file is unchanged when size, modification time and
    /// mode match; otherwise it is overwritten, as the restore does to every file it has (no live file is reused there).
    /// Folders are unchanged when they are folders: remote targets keep no folder modes.
    /// </summary>
    private static bool Same(ISiteSource site, SiteEntry live, FileIndexEntry backup) => live.Type switch
    {
        FileIndexEntry.DirectoryType => backup.Type == FileIndexEntry.DirectoryType,
        FileIndexEntry.SymbolicLinkType => backup.Type == FileIndexEntry.SymbolicLinkType
            && string.Equals(live.LinkTarget ?? site.ReadLink(live.Path), backup.LinkTarget, StringComparison.Ordinal),
        _ => backup.Type == FileIndexEntry.FileType && live.Size == backup.Size && live.Mode == backup.Mode && live.ModifiedAt == backup.ModifiedAt,
    };

    /// <summary>The SHA-256 of an open file, or null when it is not <paramref name="size"/> bytes long after all.</summary>
    private static string? Sha256(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long size, CancellationToken cancellationToken)
    {
        // Owned by the walk (closed when it moves on): read at offsets, without taking it over or moving a position.
        var (hash, read) = OpenFileHash.Compute(handle, cancellationToken);
        return read == size ? Convert.ToHexStringLower(hash) : null;
    }

    private void CheckSpace(string root, FilePreview files, List<RestoreWarning> warnings)
    {
        var written = files.Create.Bytes + files.Overwrite.Bytes;
        if (written == 0)
            return;
        var needed = written + Math.Max(written / 10, MinimumSpaceMargin);
        var existing = Path.GetFullPath(root);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
            existing = parent;
        var free = _freeSpace(existing);
        if (free < needed)
        {
            warnings.Add(new RestoreWarning(RestoreWarning.DiskSpace,
                $"The restore writes {written} bytes into the site folder, whose file system has {free} bytes free; "
                + $"with a margin it needs {needed} (files are staged before they replace the live ones)."));
        }
    }

    private static long FreeSpaceOf(string folder) => new DriveInfo(folder).AvailableFreeSpace;

    private static async Task<DatabasePreview> PreviewDatabaseAsync(
        PostgresConnectionInfo target, DatabaseSourceInfo dumped, RestoreSelection selection, CancellationToken cancellationToken)
    {
        var backupRows = dumped.Tables.Where(t => selection.IncludesTable(t.Table)).ToDictionary(t => t.Table, t => t.Rows, StringComparer.Ordinal);
        var (version, live) = await DescribeLiveAsync(target, selection, cancellationToken);
        var tables = new List<TablePreview>();
        foreach (var name in backupRows.Keys.Concat(live.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var inBackup = backupRows.TryGetValue(name, out var rows);
            var liveTable = live.GetValueOrDefault(name);
            var action = !inBackup ? TablePreview.Drop : liveTable is null ? TablePreview.Create : TablePreview.Replace;
            tables.Add(new TablePreview(name, action, liveTable?.Rows, liveTable?.Estimated ?? false, inBackup ? rows : null));
        }
        return new DatabasePreview(version, dumped.ServerVersion, version is not null, tables);
    }

    private sealed record LiveTable(long? Rows, bool Estimated);

    /// <summary>The live server's version and tables; (null, none) when the database does not exist yet.</summary>
    private static async Task<(string? Version, Dictionary<string, LiveTable> Tables)> DescribeLiveAsync(
        PostgresConnectionInfo target, RestoreSelection selection, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await PostgresConnections.OpenAsync(target, null, cancellationToken);
        }
        catch (PostgresToolException ex) when (ex.InnerException is PostgresException { SqlState: InvalidCatalogName })
        {
            return (null, []);
        }

        await using (connection)
        {
            try
            {
                string version;
                await using (var show = new NpgsqlCommand("SHOW server_version", connection))
                    version = (string)(await show.ExecuteScalarAsync(cancellationToken))!;

                var listed = new List<(string Name, long Estimate, long Bytes)>();
                await using (var list = new NpgsqlCommand(LiveTablesSql, connection))
                await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                        listed.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
                }

                var tables = new Dictionary<string, LiveTable>(StringComparer.Ordinal);
                foreach (var (name, estimate, bytes) in listed.Where(t => selection.IncludesTable(t.Name)))
                {
                    // count(*) reads the whole table: fine for a CMS's usual tables, not for a log of millions of rows.
                    // PostgreSQL's estimate (kept by autovacuum and ANALYZE) answers for those at once; -1 is "never analyzed".
                    if (estimate < ExactCountMaxRows && bytes < ExactCountMaxBytes)
                    {
                        // The name was quoted by format('%I.%I') on the server, so it is safe to splice in.
#pragma warning disable CA2100
                        await using var count = new NpgsqlCommand($"SELECT count(*) FROM {name}", connection);
#pragma warning restore CA2100
                        tables[name] = new LiveTable((long)(await count.ExecuteScalarAsync(cancellationToken))!, false);
                    }
                    else
                    {
                        tables[name] = new LiveTable(estimate >= 0 ? estimate : null, true);
                    }
                }
                return (version, tables);
            }
            catch (PostgresException ex)
            {
                throw new PostgresToolException($"cannot describe {target}: {ex.MessageText}", ex);
            }
        }
    }

    private static void CheckVersion(DatabasePreview database, List<RestoreWarning> warnings)
    {
        if (database.LiveServerVersion is not { } live)
            return;
        var dumpMajor = MajorVersion(database.BackupServerVersion);
        var liveMajor = MajorVersion(live);
        if (dumpMajor is { } d && liveMajor is { } l && d > l)
        {
            warnings.Add(new RestoreWarning(RestoreWarning.ServerVersion,
                $"The dump comes from PostgreSQL {d} and the live server is PostgreSQL {l}: a dump of a newer server may not restore into an older one."));
        }
    }

    /// <summary>The major version of a <c>server_version</c> text ("15.4 (Debian 15.4-1)" → 15; "9.6.24" → 9).</summary>
    internal static int? MajorVersion(string version)
    {
        var digits = new string([.. version.TakeWhile(char.IsAsciiDigit)]);
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : null;
    }

    /// <summary>
    /// Orders paths of the restored components as the walk and the index list them: components in ordinal order (as
    /// <see cref="SiteWalker.NormalizeComponents"/> sorts them), then <see cref="ArchiveOrder"/> within each.
    /// </summary>
    private sealed class ComponentOrder(List<string> components)
    {
        private int _last;

        public bool Contains(string path) => IndexOf(path) >= 0;

        public int Compare(string a, string b)
        {
            var byComponent = IndexOf(a).CompareTo(IndexOf(b));
            return byComponent != 0 ? byComponent : ArchiveOrder.Compare(a, b);
        }

        private int IndexOf(string path)
        {
            // Entries come grouped by component, so the last one found is almost always the one.
            if (_last < components.Count && Inside(path, components[_last]))
                return _last;
            for (var i = 0; i < components.Count; i++)
            {
                if (Inside(path, components[i]))
                    return _last = i;
            }
            return -1;
        }

        private static bool Inside(string path, string component)
            => path == component || FileIndexCursor.IsBelow(path, component);
    }

    private sealed class Groups
    {
        public PreviewPathGroupBuilder Create { get; } = new();
        public PreviewPathGroupBuilder Overwrite { get; } = new();
        public PreviewPathGroupBuilder Delete { get; } = new();
        public PreviewPathGroupBuilder Unchanged { get; } = new();
        public PreviewPathGroupBuilder Skipped { get; } = new();

        public FilePreview Build() => new(Create.Build(), Overwrite.Build(), Delete.Build(), Unchanged.Build(), Skipped.Build());
    }
}
