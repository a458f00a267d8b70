using System.Formats.Tar;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Downloads;

/// <summary>
/// A backup's stored objects as they are (encrypted, compressed), as one tar laid out like a destination with an empty
/// prefix: <c>backups/&lt;id&gt;/manifest.json</c> and every part the manifest lists, and for an incremental backup,
/// beside it, the manifest of each backup it references and the referenced volumes. Untarred into a folder, it is a
/// destination <c>backupctl restore --from file:///folder</c> reads. For offline keeping: nothing is decrypted.
/// </summary>
/// <remarks>
/// Each part is checked as it passes against the size and SHA-256 its (authenticated) manifest lists for it; a part
/// that differs throws before its entry is complete. Memory holds the manifests and one copy buffer.
/// </remarks>
internal sealed class StoredBackupDownload : IBackupDownload
{
    private readonly IBackupStore _store;
    private readonly List<(string Name, byte[]? Bytes, string? Source, StoredPart? Part)> _objects;
    private readonly DateTimeOffset _createdAt;

    private StoredBackupDownload(IBackupStore store, List<(string, byte[]?, string?, StoredPart?)> objects, DateTimeOffset createdAt, string fileName)
    {
        _store = store;
        _objects = objects;
        _createdAt = createdAt;
        FileName = fileName;
    }

    public string FileName { get; }

    public long Length { get; private set; }

    /// <param name="manifest">The backup's manifest, authenticated, and <paramref name="manifestBytes"/> the bytes it was read from.</param>
    public static async Task<StoredBackupDownload> OpenAsync(
        IBackupStore store, string folder, BackupManifest manifest, byte[] manifestBytes, string fileName, CancellationToken cancellationToken)
    {
        var id = manifest.BackupId;
        var objects = new List<(string, byte[]?, string?, StoredPart?)> { ($"backups/{id}/{ObjectNames.Manifest}", manifestBytes, null, null) };
        objects.AddRange(manifest.Objects.Select(p => ($"backups/{id}/{p.Name}", (byte[]?)null, (string?)(folder + p.Name), (StoredPart?)p)));
        foreach (var reference in ManifestReferences.Of(manifest))
        {
            var referencedFolder = ChainFolders.Beside(folder, reference.BackupId);
            var (_, bytes) = await StoredManifest.ReadAsync(store, referencedFolder, cancellationToken);
            objects.Add(($"backups/{reference.BackupId}/{ObjectNames.Manifest}", bytes, null, null));
            objects.AddRange(reference.Objects.Select(p => ($"backups/{reference.BackupId}/{p.Name}", (byte[]?)null, (string?)(referencedFolder + p.Name), (StoredPart?)p)));
        }
        var download = new StoredBackupDownload(store, objects, manifest.CreatedAt, fileName);
        var sink = new CountingWriteStream(Stream.Null);
        await using (var writer = new TarWriter(sink, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var (name, manifestData, _, part) in objects)
                await writer.WriteEntryAsync(download.EntryOf(name, new PhantomReadStream(manifestData?.Length ?? part!.StoredSize)), cancellationToken);
        }
        download.Length = sink.BytesWritten;
        return download;
    }

    public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        // Disposed (end-of-archive blocks written) only after every object: never after one that failed half-way.
        var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var (name, bytes, source, part) in _objects)
        {
            if (bytes is not null)
            {
                await using var manifest = new MemoryStream(bytes, writable: false);
                await writer.WriteEntryAsync(EntryOf(name, manifest), cancellationToken);
                continue;
            }
            await using var stored = await _store.OpenReadAsync(source!, cancellationToken);
            await using var content = new ExactEntryStream(stored, part!.StoredSize, source!, part.Sha256);
            await writer.WriteEntryAsync(EntryOf(name, content), cancellationToken);
        }
        await writer.DisposeAsync();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private GnuTarEntry EntryOf(string name, Stream content) => new(TarEntryType.RegularFile, name)
    {
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        ModificationTime = _createdAt,
        DataStream = content,
    };
}
