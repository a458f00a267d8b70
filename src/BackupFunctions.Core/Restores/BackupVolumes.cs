using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Streams;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Reads the files volumes of a verified manifest for a restore, each with its own entries of the index, several at a
/// time: download, decryption and decompression of each volume on its own read-ahead task, tar extraction on the
/// caller's. One volume (every version-1 backup) is read exactly as before: the index in step with the volume. An
/// incremental backup's volumes are its own and those of the earlier backups its index points into
/// (<see cref="ReferencedBackups"/>), each read with its own backup's key and settings, in the same bounded parallelism.
/// </summary>
/// <remarks>
/// With more than one volume the index part is read once, first, and split by volume into private scratch files (one
/// JSON line per entry, as in the index): each volume then reads its own entries in step with its tar, and memory does
/// not grow with the number of files. The split checks the contract on the way (every entry names a volume of the
/// manifest, volumes in ascending order) and reads the index part to its end, so its stored hash is checked before any
/// volume is extracted. Reading the index once per volume instead would cost volumes × index.
/// </remarks>
public sealed class BackupVolumes
{
    /// <summary>The default of <c>Restore:MaxParallelVolumes</c> and of backupctl's <c>--parallel</c>.</summary>
    public const int DefaultParallelism = 2;

    /// <summary>The highest accepted parallelism (each volume in flight holds a few MiB of read-ahead).</summary>
    public const int MaxParallelism = 16;

    private readonly IBackupStore _store;
    private readonly string _folder;
    private readonly BackupManifest _manifest;
    private readonly ReadOnlyMemory<byte> _dataKey;
    private readonly StoredPart _index;
    private readonly ReferencedBackups _referenced;

    /// <param name="dataKey">Used while <see cref="ForEachAsync"/> runs; the caller zeroes it after.</param>
    /// <exception cref="IntegrityException">The manifest lists no files volumes or no index.</exception>
    /// <exception cref="ArgumentException">The manifest references other backups (an incremental one): use the overload with them.</exception>
    public BackupVolumes(IBackupStore store, string folder, BackupManifest manifest, ReadOnlyMemory<byte> dataKey)
        : this(store, folder, manifest, dataKey, ReferencedBackups.None)
    {
    }

    /// <summary>
    /// The volumes of <paramref name="manifest"/> and of the backups it references (<paramref name="referenced"/>, opened
    /// by <see cref="ReferencedBackups.OpenAsync"/> for this manifest; the caller disposes it after).
    /// </summary>
    public BackupVolumes(IBackupStore store, string folder, BackupManifest manifest, ReadOnlyMemory<byte> dataKey, ReferencedBackups referenced)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(referenced);
        _store = store;
        _folder = folder;
        _manifest = manifest;
        _dataKey = dataKey;
        _referenced = referenced;
        Volumes = ManifestVolumes.Of(manifest);
        if (Volumes.Count == 0)
            throw new IntegrityException(ManifestFile.FileName, $"the manifest lists no {ManifestVolumes.Name(1)}");
        _index = manifest.Objects.SingleOrDefault(o => o.Name == Backups.ObjectNames.Index)
            ?? throw new IntegrityException(ManifestFile.FileName, $"the manifest lists no {Backups.ObjectNames.Index}");
        var references = ManifestReferences.Of(manifest);
        if (references.Count != referenced.Backups.Count || references.Where((r, i) => r.BackupId != referenced.Backups[i].BackupId).Any())
            throw new ArgumentException($"backup {manifest.BackupId} references {references.Count} backups: give them opened (ReferencedBackups.OpenAsync)", nameof(referenced));
        Groups = new IndexGroups(manifest).Groups;
        Parts = [.. Groups.Select(g => g.Backup is null ? Volumes.Single(v => v.Name == g.Volume) : referenced.Get(g.Backup).Volume(g.Volume))];
    }

    /// <summary>The backup's own volumes in ascending number.</summary>
    public IReadOnlyList<StoredPart> Volumes { get; }

    /// <summary>Every volume read: the own ones, then those of referenced backups (<see cref="IndexGroups"/>' order).</summary>
    public IReadOnlyList<IndexGroup> Groups { get; }

    /// <summary>The part of each of <see cref="Groups"/>, as its backup's manifest lists it.</summary>
    public IReadOnlyList<StoredPart> Parts { get; }

    /// <summary>
    /// Runs <paramref name="extract"/> once per volume (the backup's own and the referenced ones, <see cref="Groups"/>),
    /// at most <paramref name="maxParallel"/> at a time, with the volume's plaintext tar (read ahead) and its group's
    /// entries of the index (others filtered out by the reader; a referenced volume's tar is read sparsely by it, see
    /// <see cref="SiteExtraction.AddVolumeAsync(Stream, IndexGroup, IAsyncEnumerable{FileIndexEntry}, Func{string, bool}?, LiveFileReuse?, IProgress{ArchiveProgress}?, CancellationToken)"/>).
    /// The first failure cancels the others and is thrown once all have stopped (an <see cref="IntegrityException"/>
    /// before a cancellation it caused). Returns after every volume and the index were read to their ends and checked.
    /// </summary>
    /// <param name="scratchFolder">A private folder (0700) for the split index; its files are removed again.</param>
    public async Task ForEachAsync(
        string scratchFolder,
        int maxParallel,
        Func<IndexGroup, Stream, IAsyncEnumerable<FileIndexEntry>, CancellationToken, Task> extract,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scratchFolder);
        ArgumentNullException.ThrowIfNull(extract);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParallel, 1);
        if (Groups.Count == 1)
        {
            var volume = Volumes[0];
            await using var indexStream = await OpenAsync(_index, cancellationToken);
            await using (var volumeStream = await OpenAsync(volume, cancellationToken))
            {
                // Download, decryption and decompression on one core; tar extraction, hashing and writing on the other.
                await using var tar = new ReadAheadStream(volumeStream, cancellationToken);
                await extract(Groups[0], tar, Checked(FileIndex.ReadEntriesAsync(indexStream, cancellationToken)), cancellationToken);
            }
            // The extraction read the index to its end already; this makes the index part's final check explicit.
            await indexStream.CopyToAsync(Stream.Null, cancellationToken);
            return;
        }

        var scratch = Groups.Select((_, i) => Path.Join(scratchFolder, $"index-of-{i + 1:D5}")).ToArray();
        try
        {
            await SplitIndexAsync(scratch, cancellationToken);
            await RunAsync(maxParallel, async (i, token) =>
            {
                await using (var volumeStream = await OpenAsync(i, token))
                await using (var entries = RestoreStaging.OpenPrivateFile(scratch[i], FileMode.Open, FileAccess.Read, 64 * 1024))
                {
                    await using var tar = new ReadAheadStream(volumeStream, token);
                    await extract(Groups[i], tar, FileIndex.ReadEntriesAsync(entries, token), token);
                }
                File.Delete(scratch[i]);
            }, cancellationToken);
        }
        finally
        {
            foreach (var file in scratch)
                File.Delete(file);
        }
    }

    /// <summary>
    /// The index as it is, each entry checked against the contract (<see cref="IndexGroups"/>): with one volume the
    /// reader filters the index itself, and would skip an entry of another volume or backup, a file silently missing.
    /// </summary>
    private async IAsyncEnumerable<FileIndexEntry> Checked(IAsyncEnumerable<FileIndexEntry> entries)
    {
        var groups = new IndexGroups(_manifest);
        await foreach (var entry in entries)
        {
            groups.Place(entry);
            yield return entry;
        }
        groups.End();
    }

    /// <summary>The plaintext of group <paramref name="i"/>'s volume: an own part, or a referenced backup's with its key and settings.</summary>
    private Task<Stream> OpenAsync(int i, CancellationToken cancellationToken)
        => Groups[i].Backup is { } backup
            ? _referenced.Get(backup).OpenAsync(_store, Parts[i], cancellationToken)
            : OpenAsync(Parts[i], cancellationToken);

    private Task<Stream> OpenAsync(StoredPart part, CancellationToken cancellationToken)
        => PartReader.OpenAsync(_store, _folder + part.Name, _manifest.BackupId, part, _manifest, _dataKey, cancellationToken);

    /// <summary>
    /// The index, once, into one scratch file per group; checks the contract on the way (<see cref="IndexGroups"/>:
    /// volumes and backups the manifest lists, own volumes ascending, then the referenced groups in order).
    /// </summary>
    private async Task SplitIndexAsync(string[] scratch, CancellationToken cancellationToken)
    {
        var groups = new IndexGroups(_manifest);
        var writers = new FileStream?[scratch.Length];
        try
        {
            await using var indexStream = await OpenAsync(_index, cancellationToken);
            await foreach (var entry in FileIndex.ReadEntriesAsync(indexStream, cancellationToken))
            {
                var at = groups.Place(entry);
                var writer = writers[at] ??= RestoreStaging.OpenPrivateFile(scratch[at], FileMode.CreateNew, FileAccess.Write, 64 * 1024);
                await FileIndex.WriteEntryAsync(entry, writer, cancellationToken);
            }
            // Whatever the reader left is read too, so that the end of the part (last chunk, stored hash) is checked.
            await indexStream.CopyToAsync(Stream.Null, cancellationToken);
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

        // A volume without an entry of its own gets an empty list (its tar must then be empty too).
        for (var i = 0; i < scratch.Length; i++)
        {
            if (writers[i] is null)
                await RestoreStaging.OpenPrivateFile(scratch[i], FileMode.CreateNew, FileAccess.Write).DisposeAsync();
        }
    }

    /// <summary>
    /// Runs <paramref name="one"/> for 0 … Groups.Count − 1 on at most <paramref name="maxParallel"/> tasks; the first
    /// failure cancels the rest.
    /// </summary>
    private async Task RunAsync(int maxParallel, Func<int, CancellationToken, Task> one, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var next = -1;
        Exception? first = null;
        var gate = new Lock();
        var workers = Enumerable.Range(0, Math.Min(maxParallel, Groups.Count)).Select(_ => Task.Run(async () =>
        {
            int i;
            while (!stop.IsCancellationRequested && (i = Interlocked.Increment(ref next)) < Groups.Count)
            {
                try
                {
                    await one(i, stop.Token);
                }
                catch (Exception e)
                {
                    lock (gate)
                    {
                        // The cause, not a consequence: a cancellation this class caused, or a volume refused because
                        // another one had failed already (it may be recorded first), ranks below damage found.
                        if (first is null || Rank(e) > Rank(first))
                            first = e;
                    }
                    await stop.CancelAsync();
                    return;
                }
            }
        }, CancellationToken.None)).ToArray();
        await Task.WhenAll(workers);
        cancellationToken.ThrowIfCancellationRequested();
        if (first is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }

    private static int Rank(Exception e) => e switch
    {
        IntegrityException => 3,
        OperationCanceledException => 0,
        InvalidOperationException => 1,
        _ => 2,
    };
}
