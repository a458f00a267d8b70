using System.Security.Cryptography;
using System.Threading.Channels;
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

    /// <summary>Streams the site's components as a tar volume and, alongside, the file index that describes it.</summary>
    public static async Task<FilesPartResult> WriteFilesAsync(
        IBackupStore store, string folder, string backupId, PartSettings settings, ReadOnlyMemory<byte> dataKey,
        FilesSource files, IProgress<ArchiveProgress>? progress, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(files.Root))
            throw new DirectoryNotFoundException($"The site root '{files.Root}' does not exist.");

        // The volume and its index are written side by side: each entry goes to the index part as soon as its file is
        // in the tar, so memory stays flat however many files the site has. If either write fails, the other is cancelled.
        var entries = Channel.CreateBounded<FileIndexEntry>(new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ArchiveResult? archive = null;

        var volumeTask = CancelOthersOnFailure(failed, PartWriter.WriteAsync(
            store, folder + ObjectNames.FirstFilesVolume, backupId, ObjectNames.FirstFilesVolume, "files", settings, dataKey,
            async (plaintext, ct) =>
            {
                try
                {
                    archive = await SiteArchiver.WriteAsync(
                        files.Root, files.Components, ObjectNames.FirstFilesVolume, plaintext, entries.Writer.WriteAsync, progress, ct);
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
            store, folder + ObjectNames.Index, backupId, ObjectNames.Index, "index", settings, dataKey,
            (plaintext, ct) => FileIndex.WriteAsync(entries.Reader.ReadAllAsync(ct), plaintext, ct),
            failed.Token));

        await Task.WhenAll(volumeTask, indexTask);
        var volume = await volumeTask;
        var index = await indexTask;
        return new FilesPartResult(volume, index, archive!.Files, archive.Folders, archive.Bytes)
        {
            ChangedFiles = archive.ChangedFiles,
            ChangedFileCount = archive.ChangedFileCount,
            LinkedComponents = archive.LinkedComponents,
            LinkedComponentCount = archive.LinkedComponentCount,
        };
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
            parts.Add(f.Volume);
            parts.Add(f.Index);
        }

        var original = parts.Sum(p => p.PlainSize);
        var stored = parts.Sum(p => p.StoredSize);
        var statistics = new BackupStatistics
        {
            Files = draft.Files?.Files ?? 0,
            Folders = draft.Files?.Folders ?? 0,
            FilesBytes = draft.Files?.Bytes ?? 0,
            DatabaseTables = draft.Database?.Source.Tables.Count ?? 0,
            DatabaseDumpBytes = draft.Database?.Part.PlainSize ?? 0,
            OriginalBytes = original,
            StoredBytes = stored,
            CompressionRatio = stored == 0 ? 0 : Math.Round((double)original / stored, 3),
            DurationSeconds = Math.Round((draft.CompletedAt - draft.StartedAt).TotalSeconds, 3),
            ChangedFiles = draft.Files?.ChangedFileCount ?? 0,
        };
        var manifest = new BackupManifest
        {
            BackupId = draft.BackupId,
            ConfigId = draft.ConfigId,
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
        return (manifest, new ManifestResult(name, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length, draft.CompletedAt, statistics));
    }

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

    /// <summary>The part encoding a config asks for.</summary>
    public static PartSettings SettingsFor(CompressionOptions compression, EncryptionOptions encryption) => new(
        CompressionStreams.Parse(compression.Algorithm),
        compression.Level,
        EncryptionAlgorithms.Parse(encryption.Algorithm));
}
