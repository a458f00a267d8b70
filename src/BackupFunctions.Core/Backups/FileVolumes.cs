using System.Threading.Channels;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The files of one backup as volumes (docs/design.md, 'The data flow of a backup'): plan (one walk of the site →
/// <see cref="ObjectNames.Plan"/>), one volume at a time (<see cref="ObjectNames.FilesVolume"/> and its index entries
/// beside it), then the single <see cref="ObjectNames.Index"/> joined from the volumes' entries in volume order.
/// Each step reads only what the previous ones stored, so the orchestration can run them as separate activities,
/// the volumes in parallel, and a retry rewrites the same object names.
/// </summary>
public static class FileVolumes
{
    public static Task<VolumePlanResult> PlanAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        ISiteSource source, VolumeLimits limits, Func<SiteEntry, bool>? separate, CancellationToken cancellationToken)
        => PlanAsync(store, folder, backupId, settings, dataKey, source, limits, separate, incremental: null, compareHash: false, cancellationToken);

    /// <summary>
    /// As above; with <paramref name="incremental"/>, an incremental backup: only folders, links and the files that
    /// changed since that base are planned into volumes, and the unchanged files' entries (pointing at the backups
    /// holding them) go to <see cref="ObjectNames.UnchangedEntries"/> (<see cref="VolumePlanResult.Incremental"/>).
    /// </summary>
    public static async Task<VolumePlanResult> PlanAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        ISiteSource source, VolumeLimits limits, Func<SiteEntry, bool>? separate, IncrementalBase? incremental, bool compareHash,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(limits);
        var comparison = incremental is null ? null : await incremental.CompareAsync(compareHash, cancellationToken);
        var changes = new NoteList<FileChange>(FileChange.MaxListed, c => c.Shortened());
        var linked = new NoteList<LinkedComponent>(LinkedComponent.MaxListed, l => l.Shortened());
        foreach (var below in source.ComponentsBelowLinks())
            linked.Add(below);
        var planner = new VolumePlanner(limits, separate);
        // The walk streams into the plan part: memory stays flat however many files the site has.
        var part = await PartWriter.WriteAsync(store, folder + ObjectNames.Plan, backupId, ObjectNames.Plan, "plan", settings, dataKey,
            (plaintext, ct) =>
            {
                var walk = source.Walk(changes.Add);
                return VolumePlanFile.WriteAsync(planner.Plan(comparison is null ? walk : comparison.Changed(walk, source)), plaintext, ct);
            },
            cancellationToken);

        IncrementalPlan? incrementalPlan = null;
        if (comparison is not null)
        {
            IReadOnlyList<Format.BackupReference> references = [];
            var unchanged = await PartWriter.WriteAsync(store, folder + ObjectNames.UnchangedEntries, backupId, ObjectNames.UnchangedEntries, "index",
                settings, dataKey,
                async (plaintext, ct) => references = await comparison.WriteUnchangedAsync(incremental!.ReadIndexAsync(ct), plaintext, ct),
                cancellationToken);
            incrementalPlan = new IncrementalPlan(comparison.BaseBackupId, references, unchanged,
                comparison.Added, comparison.Modified, comparison.Unchanged, comparison.UnchangedBytes, comparison.Deleted);
        }
        return new VolumePlanResult(part, planner.Volumes, planner.Files, planner.Folders, planner.Bytes)
        {
            Incremental = incrementalPlan,
            ChangedFiles = changes.Listed,
            ChangedFileCount = changes.Count,
            LinkedComponents = linked.Listed,
            LinkedComponentCount = linked.Count,
            SeparateVolumes = [.. planner.SeparateVolumes],
        };
    }

    /// <summary>
    /// Writes volume <paramref name="number"/> of the plan and, alongside, the index of its entries. Idempotent: a
    /// retry reads the same plan and rewrites the same two objects.
    /// </summary>
    public static async Task<VolumeResult> WriteVolumeAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        ISiteSource source, StoredPart plan, int number, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        var volumeName = ObjectNames.FilesVolume(number);
        var indexName = ObjectNames.VolumeIndex(number);

        // The volume and its index are written side by side: each entry goes to the index part as soon as its file is
        // in the tar, so memory stays flat however many files the volume has. If either write fails, the other is cancelled.
        var entries = Channel.CreateBounded<FileIndexEntry>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ArchiveResult? archive = null;

        var volumeTask = CancelOthersOnFailure(failed, PartWriter.WriteAsync(
            store, folder + volumeName, backupId, volumeName, "files", settings, dataKey,
            async (plaintext, ct) =>
            {
                try
                {
                    await using var planStream = await PartReader.OpenAsync(
                        store, folder + ObjectNames.Plan, backupId, plan, ReadingManifest(backupId, settings), dataKey, ct);
                    archive = await SiteArchiver.WriteVolumeAsync(
                        source, VolumePlanFile.ReadVolumeAsync(planStream, number, ct), volumeName, plaintext, entries.Writer.WriteAsync, progress, ct);
                    entries.Writer.Complete();
                }
                catch (Exception e)
                {
                    entries.Writer.Complete(e);
                    throw;
                }
            },
            failed.Token));
        var indexTask = CancelOthersOnFailure(failed, PartWriter.WriteAsync(
            store, folder + indexName, backupId, indexName, "index", settings, dataKey,
            (plaintext, ct) => FileIndex.WriteAsync(entries.Reader.ReadAllAsync(ct), plaintext, ct),
            failed.Token));

        await Task.WhenAll(volumeTask, indexTask);
        return new VolumeResult(number, await volumeTask, await indexTask, archive!.Files, archive.Folders, archive.Bytes)
        {
            ChangedFiles = archive.ChangedFiles,
            ChangedFileCount = archive.ChangedFileCount,
            LinkedComponents = archive.LinkedComponents,
            LinkedComponentCount = archive.LinkedComponentCount,
        };
    }

    /// <summary>
    /// Joins the volumes' index entries into the backup's one <see cref="ObjectNames.Index"/>, volume by volume in
    /// ascending order (the contract readers rely on), streaming; and sums up what the volumes hold.
    /// </summary>
    public static async Task<FilesPartResult> AssembleIndexAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        VolumePlanResult plan, IReadOnlyList<VolumeResult> volumes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(volumes);
        var ordered = volumes.OrderBy(v => v.Number).ToList();
        if (!ordered.Select(v => v.Number).SequenceEqual(Enumerable.Range(1, plan.Volumes)))
            throw new InvalidOperationException($"The plan has {plan.Volumes} volumes, but volumes {string.Join(", ", ordered.Select(v => v.Number))} were written.");

        var reading = ReadingManifest(backupId, settings);
        var index = await PartWriter.WriteAsync(store, folder + ObjectNames.Index, backupId, ObjectNames.Index, "index", settings, dataKey,
            async (plaintext, ct) =>
            {
                foreach (var volume in ordered)
                {
                    // Byte for byte: each volume's index is already JSON lines in tar order.
                    await using var part = await PartReader.OpenAsync(store, folder + ObjectNames.VolumeIndex(volume.Number), backupId, volume.Index, reading, dataKey, ct);
                    await part.CopyToAsync(plaintext, ct);
                }
                // Then the unchanged files' entries, already in the order the format asks for (the base's order).
                if (plan.Incremental is { } incremental)
                {
                    await using var part = await PartReader.OpenAsync(store, folder + ObjectNames.UnchangedEntries, backupId, incremental.UnchangedEntries, reading, dataKey, ct);
                    await part.CopyToAsync(plaintext, ct);
                }
            },
            cancellationToken);

        var changes = new NoteList<FileChange>(FileChange.MaxListed);
        var linked = new NoteList<LinkedComponent>(LinkedComponent.MaxListed);
        foreach (var change in plan.ChangedFiles)
            changes.Add(change);
        foreach (var component in plan.LinkedComponents)
            linked.Add(component);
        foreach (var volume in ordered)
        {
            foreach (var change in volume.ChangedFiles)
                changes.Add(change);
            foreach (var component in volume.LinkedComponents)
                linked.Add(component);
        }
        return new FilesPartResult([.. ordered.Select(v => v.Volume)], index, ordered.Sum(v => v.Files), ordered.Sum(v => v.Folders), ordered.Sum(v => v.Bytes))
        {
            ChangedFiles = changes.Listed,
            // Counted, not listed: the listed ones are the first few of each, the counts are all of them.
            ChangedFileCount = plan.ChangedFileCount + ordered.Sum(v => v.ChangedFileCount),
            LinkedComponents = linked.Listed,
            LinkedComponentCount = plan.LinkedComponentCount + ordered.Sum(v => v.LinkedComponentCount),
            Incremental = plan.Incremental,
        };
    }

    /// <summary>
    /// Removes the plan and the volumes' own indexes once <see cref="ObjectNames.Index"/> (and, in a run, the manifest)
    /// holds what they said. Deleting a missing object is no error, so this may run more than once.
    /// </summary>
    public static async Task RemoveWorkingObjectsAsync(IBackupStore store, string folder, int volumes, CancellationToken cancellationToken)
    {
        for (var number = 1; number <= volumes; number++)
            await store.DeleteAsync(folder + ObjectNames.VolumeIndex(number), cancellationToken);
        await store.DeleteAsync(folder + ObjectNames.UnchangedEntries, cancellationToken);
        await store.DeleteAsync(folder + ObjectNames.Plan, cancellationToken);
    }

    /// <summary>What <see cref="PartReader"/> needs of a manifest to read back a part this run wrote with <paramref name="settings"/>.</summary>
    private static BackupManifest ReadingManifest(string backupId, PartSettings settings) => new()
    {
        BackupId = backupId,
        ConfigId = "",
        CreatedAt = default,
        CompletedAt = default,
        Compression = CompressionStreams.Name(settings.Compression),
        CompressionLevel = settings.CompressionLevel,
        Encryption = EncryptionAlgorithms.Name(settings.Encryption),
        ChunkSize = settings.ChunkSize,
        Key = null,
        Objects = [],
        Statistics = new BackupStatistics(),
        Tool = "",
    };

    private static async Task<T> CancelOthersOnFailure<T>(CancellationTokenSource others, Task<T> task)
    {
        try
        {
            return await task;
        }
        catch
        {
            await others.CancelAsync();
            throw;
        }
    }
}
