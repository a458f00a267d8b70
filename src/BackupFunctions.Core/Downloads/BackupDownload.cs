using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Downloads;

/// <summary>
/// A backup's content as one tar: <c>database.dump</c> (the pg_dump custom-format dump, as <c>pg_restore</c> reads it)
/// and the site under <c>files/</c> — every folder, file and link of the index, those of an incremental backup read
/// from the earlier backups it references — decrypted, decompressed and checked as they pass (each part's AEAD and
/// stored hash, each file's size and SHA-256 against the index, each volume's entries against the index in order).
/// </summary>
/// <remarks>
/// Streamed: memory holds a volume's read-ahead and one entry's copy buffer, whatever the backup's size; the index is
/// read once first to measure the tar (its exact length, for Content-Length) and once more while writing (split into
/// private scratch files by volume when there are several, as a restore does: disk grows with the number of files,
/// never with their content). The tar is GNU format (long names as GNU long-name entries), which GNU tar, bsdtar,
/// Python's tarfile and .NET's TarReader read; its headers are deterministic, so measuring by writing every header
/// to a counting sink gives the length exactly.
/// </remarks>
internal sealed class BackupDownload : IBackupDownload
{
    public const string DatabaseEntry = "database.dump";
    public const string FilesFolder = "files/";

    /// <summary>A custom-format pg_dump archive starts with these bytes.</summary>
    private static readonly byte[] CustomDumpMagic = "PGDMP"u8.ToArray();

    private readonly IBackupStore _store;
    private readonly string _folder;
    private readonly BackupManifest _manifest;
    private readonly byte[] _dataKey;
    private readonly ReferencedBackups _referenced;
    private readonly StoredPart? _database;
    private readonly StoredPart? _index;

    private BackupDownload(IBackupStore store, string folder, BackupManifest manifest, byte[] dataKey, ReferencedBackups referenced, string fileName)
    {
        _store = store;
        _folder = folder;
        _manifest = manifest;
        _dataKey = dataKey;
        _referenced = referenced;
        FileName = fileName;
        _database = manifest.Objects.SingleOrDefault(o => o.Name == ObjectNames.Database);
        _index = ManifestVolumes.Of(manifest).Count == 0 ? null : manifest.Objects.SingleOrDefault(o => o.Name == ObjectNames.Index);
    }

    public string FileName { get; }

    public long Length { get; private set; }

    /// <summary>Takes over <paramref name="dataKey"/> and <paramref name="referenced"/> (disposing zeroes them), measures the tar.</summary>
    public static async Task<BackupDownload> OpenAsync(
        IBackupStore store, string folder, BackupManifest manifest, byte[] dataKey, ReferencedBackups referenced, string fileName,
        CancellationToken cancellationToken)
    {
        var download = new BackupDownload(store, folder, manifest, dataKey, referenced, fileName);
        try
        {
            download.Length = await download.MeasureAsync(cancellationToken);
            return download;
        }
        catch
        {
            await download.DisposeAsync();
            throw;
        }
    }

    public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        // Disposed only when every entry was written: disposing writes the end-of-archive blocks, which must never
        // follow an entry that failed half-way (the caller breaks the response off instead).
        var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        if (_database is { } database)
        {
            await using var dump = await PartReader.OpenAsync(_store, _folder + database.Name, _manifest.BackupId, database, _manifest, _dataKey, cancellationToken);
            await using var content = new ExactEntryStream(dump, database.PlainSize, _folder + database.Name, null, CustomDumpMagic);
            await writer.WriteEntryAsync(DumpEntry(content), cancellationToken);
        }
        if (_index is not null)
        {
            await writer.WriteEntryAsync(FolderEntry(), cancellationToken);
            var volumes = new BackupVolumes(_store, _folder, _manifest, _dataKey, _referenced);
            var scratch = Directory.CreateTempSubdirectory("bf-download-");
            try
            {
                // One volume at a time: the tar is one stream, written in order.
                await volumes.ForEachAsync(scratch.FullName, 1, (group, tar, entries, ct) => CopyVolumeAsync(writer, group, tar, entries, ct), cancellationToken);
            }
            finally
            {
                scratch.Delete(recursive: true);
            }
        }
        await writer.DisposeAsync();
    }

    public ValueTask DisposeAsync()
    {
        CryptographicOperations.ZeroMemory(_dataKey);
        _referenced.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Every header written to a counting sink, every content a phantom of its length: the tar's exact size.</summary>
    private async Task<long> MeasureAsync(CancellationToken cancellationToken)
    {
        var sink = new CountingWriteStream(Stream.Null);
        await using (var writer = new TarWriter(sink, TarEntryFormat.Gnu, leaveOpen: true))
        {
            if (_database is { } database)
                await writer.WriteEntryAsync(DumpEntry(new PhantomReadStream(database.PlainSize)), cancellationToken);
            if (_index is { } index)
            {
                await writer.WriteEntryAsync(FolderEntry(), cancellationToken);
                await using var indexStream = await PartReader.OpenAsync(_store, _folder + index.Name, _manifest.BackupId, index, _manifest, _dataKey, cancellationToken);
                await foreach (var entry in FileIndex.ReadEntriesAsync(indexStream, cancellationToken))
                {
                    var data = entry.Type == FileIndexEntry.FileType ? new PhantomReadStream(entry.Size) : null;
                    await writer.WriteEntryAsync(EntryOf(entry, data), cancellationToken);
                }
                // The rest of the part (final chunk, stored hash) is checked before anything is sent.
                await indexStream.CopyToAsync(Stream.Null, cancellationToken);
            }
        }
        return sink.BytesWritten;
    }

    /// <summary>
    /// Copies one volume's entries into the download: the backup's own volume must hold exactly the entries listed, in
    /// order; a referenced volume is read sparsely (entries the index does not list from it are read past).
    /// </summary>
    private static async Task CopyVolumeAsync(TarWriter writer, IndexGroup group, Stream tar, IAsyncEnumerable<FileIndexEntry> entries, CancellationToken cancellationToken)
    {
        await using (var reader = new TarReader(tar, leaveOpen: true))
        {
            await foreach (var expected in entries.WithCancellation(cancellationToken))
            {
                if (!group.Holds(expected))
                    throw new IntegrityException(ObjectNames.Index, $"{expected.Path} is listed in {expected.Backup}/{expected.Volume} but read with {group.Label}");
                TarEntry? found;
                do
                {
                    found = await reader.GetNextEntryAsync(copyData: false, cancellationToken)
                        ?? throw new IntegrityException(group.Label, $"ends before {expected.Path}, which the index lists in it");
                }
                while (group.IsReferenced && ArchiveEntryRules.LooseName(found) != expected.Path);
                if (ArchiveEntryRules.LooseName(found) != expected.Path)
                    throw new IntegrityException(group.Label, $"holds {ArchiveEntryRules.LooseName(found)} where the index lists {expected.Path}");
                if (TypeOf(found) != expected.Type || (expected.Type == FileIndexEntry.FileType && found.Length != expected.Size)
                    || (expected.Type == FileIndexEntry.SymbolicLinkType && found.LinkName != expected.LinkTarget))
                {
                    throw new IntegrityException(group.Label, $"{expected.Path} differs from the index (type, size or link target)");
                }

                if (expected.Type == FileIndexEntry.FileType)
                {
                    var source = found.DataStream ?? Stream.Null;
                    await using var content = new ExactEntryStream(source, expected.Size, group.Label + ": " + expected.Path, expected.Sha256);
                    await writer.WriteEntryAsync(EntryOf(expected, content), cancellationToken);
                }
                else
                {
                    await writer.WriteEntryAsync(EntryOf(expected, null), cancellationToken);
                }
            }
            // A volume of this backup holds nothing the index does not list (a referenced one may: read past).
            if (!group.IsReferenced && await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } extra)
                throw new IntegrityException(group.Label, $"holds {ArchiveEntryRules.LooseName(extra)}, which the index does not list");
        }
        // The rest of the volume (tar padding, final chunk, stored hash) is read so that its end is checked.
        await tar.CopyToAsync(Stream.Null, cancellationToken);
    }

    private static string TypeOf(TarEntry entry) => entry.EntryType switch
    {
        TarEntryType.RegularFile or TarEntryType.V7RegularFile => FileIndexEntry.FileType,
        TarEntryType.Directory => FileIndexEntry.DirectoryType,
        TarEntryType.SymbolicLink => FileIndexEntry.SymbolicLinkType,
        _ => entry.EntryType.ToString(),
    };

    private GnuTarEntry DumpEntry(Stream content) => new(TarEntryType.RegularFile, DatabaseEntry)
    {
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        ModificationTime = _manifest.CreatedAt,
        DataStream = content,
    };

    private GnuTarEntry FolderEntry() => new(TarEntryType.Directory, FilesFolder)
    {
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
        ModificationTime = _manifest.CreatedAt,
    };

    /// <summary>The download's entry for an index entry; the same for measuring and writing, so the length holds.</summary>
    private static GnuTarEntry EntryOf(FileIndexEntry entry, Stream? content)
    {
        // The index is authenticated, but a name that could climb out of files/ is never handed to an extracting tar.
        if (!ArchiveEntryRules.IsPlainRelative(entry.Path))
            throw new IntegrityException(ObjectNames.Index, $"lists '{entry.Path}', which is not a plain relative path");
        var mode = (UnixFileMode)entry.Mode & (UnixFileMode)0x1FF;
        return entry.Type switch
        {
            FileIndexEntry.DirectoryType => new GnuTarEntry(TarEntryType.Directory, FilesFolder + entry.Path + "/") { Mode = mode, ModificationTime = entry.ModifiedAt },
            FileIndexEntry.SymbolicLinkType => new GnuTarEntry(TarEntryType.SymbolicLink, FilesFolder + entry.Path)
            {
                Mode = mode == 0 ? (UnixFileMode)0x1FF : mode,
                ModificationTime = entry.ModifiedAt,
                LinkName = entry.LinkTarget ?? throw new IntegrityException(ObjectNames.Index, $"lists the link {entry.Path} without its target"),
            },
            FileIndexEntry.FileType => new GnuTarEntry(TarEntryType.RegularFile, FilesFolder + entry.Path)
            {
                Mode = mode,
                ModificationTime = entry.ModifiedAt,
                DataStream = content,
            },
            _ => throw new IntegrityException(ObjectNames.Index, $"lists {entry.Path} with the unknown type '{entry.Type}'"),
        };
    }
}
