using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// Writes the objects of one backup into a destination — database part, file volume and index, manifest last —
/// with no catalog and no host: the activities call it through <see cref="BackupRunner"/>, backupctl calls it directly.
/// </summary>
public sealed class BackupWriter(PostgresDumper dumper)
{
    /// <summary>
    /// The manifest's <c>formatVersion</c> for a backup of more than one file volume, or an incremental one: 2, so a
    /// reader that knows only version 1 (which would restore volume 1 alone, or miss the files kept elsewhere) refuses it.
    /// </summary>
    public const int MultiVolumeFormatVersion = BackupManifest.VolumesFormatVersion;

    /// <summary>
    /// The manifest's <c>formatVersion</c> for a backup of at most one volume: 1, which every reader since the first
    /// reads (docs/format.md: the version goes up only where an older reader would misread the backup).
    /// </summary>
    public const int SingleVolumeFormatVersion = BackupManifest.CurrentFormatVersion;

    /// <summary>
    /// Streams pg_dump → compression → AEAD → <c>db.part</c>. Here and below, <c>dataKey</c> is empty when
    /// <c>settings.Encryption</c> is <see cref="EncryptionAlgorithm.None"/>. <paramref name="progress"/>, when given,
    /// gets the dump bytes written so far after each write.
    /// </summary>
    public async Task<DatabasePartResult> WriteDatabaseAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        PostgresConnectionInfo source, CancellationToken cancellationToken, IProgress<long>? progress = null,
        Restores.Drills.DrillCheckRun? checks = null)
    {
        DatabaseSourceInfo? info = null;
        var part = await PartWriter.WriteAsync(
            store, folder + ObjectNames.Database, backupId, ObjectNames.Database, "database", settings, dataKey,
            async (plaintext, ct) =>
            {
                if (progress is null)
                {
                    info = await dumper.DumpAsync(source, plaintext, checks, ct);
                    return;
                }
                await using var counted = new ProgressWriteStream(plaintext, progress);
                info = await dumper.DumpAsync(source, counted, checks, ct);
            },
            cancellationToken);
        return new DatabasePartResult(part, info!);
    }

    /// <summary>
    /// Streams the site's components into volumes (<see cref="FileVolumes"/>: plan, each volume with its index entries,
    /// the joined index), one volume after another, then removes the working objects. The orchestration runs the same
    /// steps as activities instead, volumes in parallel; backupctl and tests call this.
    /// </summary>
    public static Task<FilesPartResult> WriteFilesAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        FilesSource files, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
        => WriteFilesAsync(store, folder, backupId, settings, dataKey, files, VolumeLimits.Default, progress, cancellationToken);

    /// <inheritdoc cref="WriteFilesAsync(IBackupStore, string, string, PartSettings, ReadOnlyMemory{byte}, FilesSource, IProgress{ArchiveProgress}?, CancellationToken)"/>
    public static Task<FilesPartResult> WriteFilesAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        FilesSource files, VolumeLimits limits, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
        => WriteFilesAsync(store, folder, backupId, settings, dataKey, files, new FilesWriteOptions { Limits = limits }, progress, cancellationToken);

    /// <summary>
    /// As above, with <paramref name="options"/>: the volume limits, whether already-compressed files go into volumes
    /// stored as they are (<see cref="FilesWriteOptions.StoreCompressedAsIs"/>), and for an incremental backup its base
    /// (only what changed since is stored; see <see cref="FileVolumes"/>).
    /// </summary>
    public static async Task<FilesPartResult> WriteFilesAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        FilesSource files, FilesWriteOptions options, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(options);
        if (!files.IsLocal())
            throw new NotSupportedException("Only a local site is written here; the engine opens other sources through SiteSources.");
        return await WriteFilesAsync(store, folder, backupId, settings, dataKey, Sources.Sites.SiteSources.Local(files.Root, files.Components), options, progress, cancellationToken);
    }

    /// <summary>As above, reading the site through <paramref name="source"/> (any <see cref="ISiteSource"/>).</summary>
    public static async Task<FilesPartResult> WriteFilesAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        ISiteSource source, FilesWriteOptions options, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var plan = await FileVolumes.PlanAsync(store, folder, backupId, settings, dataKey, source, options.Limits,
            options.StoreCompressedAsIs ? CompressedFiles.Separator(source) : null, options.Incremental, options.CompareHash, cancellationToken);
        var volumes = new List<VolumeResult>(plan.Volumes);
        try
        {
            long doneFiles = 0, doneBytes = 0;
            for (var number = 1; number <= plan.Volumes; number++)
            {
                // Progress counts across volumes: what the finished ones hold plus the one being written.
                var volume = await FileVolumes.WriteVolumeAsync(store, folder, backupId, settings, dataKey, source, plan.Plan, number,
                    plan.SeparateVolumes.Contains(number), ArchiveProgress.After(new ArchiveProgress(doneFiles, doneBytes), progress), cancellationToken);
                volumes.Add(volume);
                doneFiles += volume.Files;
                doneBytes += volume.Bytes;
            }
            var result = await FileVolumes.AssembleIndexAsync(store, folder, backupId, settings, dataKey, plan, volumes, cancellationToken);
            await FileVolumes.RemoveWorkingObjectsAsync(store, folder, plan.Volumes, cancellationToken);
            return result;
        }
        catch
        {
            // Without the rest, the plan and the volumes written so far are garbage: nothing of a failed step stays.
            try
            {
                foreach (var volume in volumes)
                    await store.DeleteAsync(folder + volume.Volume.Name, CancellationToken.None);
                await FileVolumes.RemoveWorkingObjectsAsync(store, folder, plan.Volumes, CancellationToken.None);
            }
            catch (StoreException)
            {
                // The destination failed too; the step's own error is the one to report.
            }
            throw;
        }
    }

    /// <summary>
    /// Builds the manifest of the written parts and stores it as <c>manifest.json</c>, the backup's commit point.
    /// With encryption <c>none</c>, <paramref name="dataKey"/> is empty and the manifest has no MAC.
    /// <paramref name="beforePut"/> runs right before the put, when all else is ready: a check that may still refuse
    /// the commit (the job has ended meanwhile).
    /// </summary>
    public static async Task<(BackupManifest Manifest, ManifestResult Result)> WriteManifestAsync(
        IBackupStore store, string folder, ManifestDraft draft, ReadOnlyMemory<byte> dataKey, CancellationToken cancellationToken,
        Func<CancellationToken, Task>? beforePut = null)
    {
        var parts = new List<StoredPart>();
        if (draft.Database is { } db)
            parts.Add(db.Part);
        if (draft.Files is { } f)
        {
            parts.AddRange(f.Volumes);
            parts.Add(f.Index);
        }

        var original = parts.Sum(p => p.PlainSize);
        var stored = parts.Sum(p => p.StoredSize);
        // An incremental's index lists the whole site: its counts include the files it points at elsewhere.
        var incremental = draft.Files?.Incremental;
        var statistics = new BackupStatistics
        {
            Files = (draft.Files?.Files ?? 0) + (incremental?.Unchanged ?? 0),
            Folders = draft.Files?.Folders ?? 0,
            FilesBytes = (draft.Files?.Bytes ?? 0) + (incremental?.UnchangedBytes ?? 0),
            DatabaseTables = draft.Database?.Source.Tables.Count ?? 0,
            DatabaseDumpBytes = draft.Database?.Part.PlainSize ?? 0,
            OriginalBytes = original,
            StoredBytes = stored,
            CompressionRatio = stored == 0 ? 0 : Math.Round((double)original / stored, 3),
            DurationSeconds = Math.Round((draft.CompletedAt - draft.StartedAt).TotalSeconds, 3),
            ChangedFiles = draft.Files?.ChangedFileCount ?? 0,
            AddedFiles = incremental?.Added ?? 0,
            ModifiedFiles = incremental?.Modified ?? 0,
            UnchangedFiles = incremental?.Unchanged ?? 0,
            DeletedFiles = incremental?.Deleted ?? 0,
        };
        var manifest = new BackupManifest
        {
            // A part with its own compression (a volume stored as is) needs version 2 too: a version-1 reader would
            // decompress it with the manifest's; so does an incremental one (its index points into other backups).
            FormatVersion = draft.Files is { Volumes.Count: > 1 } || parts.Any(p => p.Compression is not null) || incremental is not null
                ? MultiVolumeFormatVersion : SingleVolumeFormatVersion,
            BackupId = draft.BackupId,
            ConfigId = draft.ConfigId,
            // Incremental when the files were compared with a base; else what the draft says (or its parts make it).
            Type = incremental is not null ? BackupTypes.Incremental : draft.BackupType,
            BaseBackupId = incremental?.BaseBackupId,
            References = incremental is { References.Count: > 0 } ? incremental.References : null,
            CreatedAt = draft.StartedAt,
            CompletedAt = draft.CompletedAt,
            Compression = CompressionStreams.Name(draft.Settings.Compression),
            CompressionLevel = draft.Settings.CompressionLevel,
            Encryption = EncryptionAlgorithms.Name(draft.Settings.Encryption),
            ChunkSize = draft.Settings.ChunkSize,
            Key = draft.Key,
            Objects = parts,
            Statistics = statistics,
            Database = draft.Database?.Source,
            Tool = $"BackupFunctions/{typeof(BackupWriter).Assembly.GetName().Version}",
        };

        var bytes = ManifestFile.Write(manifest, dataKey.Span);
        var name = folder + ObjectNames.Manifest;
        if (beforePut is not null)
            await beforePut(cancellationToken);
        using (var content = new MemoryStream(bytes, writable: false))
            await store.PutAsync(name, content, cancellationToken);
        return (manifest, new ManifestResult(name, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, draft.CompletedAt, statistics,
            manifest.Type, manifest.BaseBackupId, ManifestReferences.BackupIds(manifest)));
    }

    /// <summary>The part encoding a config asks for.</summary>
    public static PartSettings SettingsFor(CompressionOptions compression, EncryptionOptions encryption) => new(
        CompressionStreams.Parse(compression.Algorithm),
        compression.Level,
        EncryptionAlgorithms.Parse(encryption.Algorithm));
}
