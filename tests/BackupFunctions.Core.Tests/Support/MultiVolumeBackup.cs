using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// Tests only (the service's writer of volumes is the backup planner): writes a backup of a site split into several
/// files volumes by the volume contract of docs/format.md, from the engine's low-level pieces — the site archived once
/// by <see cref="SiteArchiver"/> into a scratch tar, its entries dealt out in walk order to <c>files-0000N.part</c>
/// (each a standalone tar written by <see cref="PartWriter"/>), one <c>index.bin</c> listing them volume by volume, and
/// a format-2 manifest (or whatever <see cref="FormatVersion"/> says, to test refusals).
/// </summary>
public sealed class MultiVolumeBackup
{
    /// <summary>Which volume (from 1) each entry goes to, given its place in walk order; must never decrease.</summary>
    public required Func<int, FileIndexEntry, int> VolumeOf { get; init; }

    public PartSettings Settings { get; init; } = new();

    /// <summary>Volumes stored with their own compression (recorded per part in the manifest).</summary>
    public IReadOnlyDictionary<int, CompressionAlgorithm> OwnCompression { get; init; } = new Dictionary<int, CompressionAlgorithm>();

    public int FormatVersion { get; init; } = BackupManifest.VolumesFormatVersion;

    /// <summary>Changes index entries as they are written (a damaged index, to test refusals); null: none.</summary>
    public Func<FileIndexEntry, FileIndexEntry>? DamageIndex { get; init; }

    /// <summary>Writes the backup and returns its manifest. <paramref name="kek"/> null: encryption none.</summary>
    public async Task<BackupManifest> WriteAsync(
        IBackupStore store, string folder, string backupId, string siteRoot, IReadOnlyList<string> components, IKeyEncryptionKey? kek,
        CancellationToken cancellationToken = default)
    {
        var settings = kek is null ? Settings with { Encryption = EncryptionAlgorithm.None } : Settings;
        var key = kek is null ? [] : RandomNumberGenerator.GetBytes(32);
        var scratch = Path.Combine(Path.GetTempPath(), "bf-multivolume-" + Guid.NewGuid().ToString("N") + ".tar");
        try
        {
            var entries = new List<FileIndexEntry>();
            ArchiveResult archived;
            await using (var tar = File.Create(scratch))
            {
                archived = await SiteArchiver.WriteAsync(siteRoot, components, "scratch", tar, (entry, _) =>
                {
                    entries.Add(entry);
                    return ValueTask.CompletedTask;
                }, null, cancellationToken);
            }

            var volumeOf = entries.Select((e, i) => VolumeOf(i, e)).ToArray();
            for (var i = 1; i < volumeOf.Length; i++)
            {
                if (volumeOf[i] < volumeOf[i - 1])
                    throw new ArgumentException("VolumeOf must not decrease along the walk.");
            }
            var count = volumeOf.Length == 0 ? 1 : volumeOf.Max();

            var parts = new List<StoredPart>();
            for (var volume = 1; volume <= count; volume++)
            {
                var name = ManifestVolumes.Name(volume);
                var own = OwnCompression.TryGetValue(volume, out var compression) ? compression : (CompressionAlgorithm?)null;
                var number = volume;
                var part = await PartWriter.WriteAsync(store, folder + name, backupId, name, ManifestVolumes.FilesKind,
                    own is { } c ? settings with { Compression = c } : settings, key,
                    async (plaintext, ct) =>
                    {
                        await using var input = File.OpenRead(scratch);
                        await using var reader = new TarReader(input);
                        await using var writer = new TarWriter(plaintext, TarEntryFormat.Pax, leaveOpen: true);
                        var at = 0;
                        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
                        {
                            if (volumeOf[at++] == number)
                                await writer.WriteEntryAsync(entry, ct);
                        }
                    }, cancellationToken);
                parts.Add(own is { } ownCompression ? part with { Compression = CompressionStreams.Name(ownCompression) } : part);
            }

            var index = await PartWriter.WriteAsync(store, folder + "index.bin", backupId, "index.bin", "index", settings, key,
                (plaintext, ct) => FileIndex.WriteAsync(
                    entries.Select((e, i) => e with { Volume = ManifestVolumes.Name(volumeOf[i]) }).Select(e => DamageIndex?.Invoke(e) ?? e), plaintext, ct),
                cancellationToken);
            parts.Add(index);

            var createdAt = new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
            var manifest = new BackupManifest
            {
                FormatVersion = FormatVersion,
                BackupId = backupId,
                ConfigId = "cfg",
                CreatedAt = createdAt,
                CompletedAt = createdAt.AddMinutes(1),
                Compression = CompressionStreams.Name(settings.Compression),
                CompressionLevel = settings.CompressionLevel,
                Encryption = EncryptionAlgorithms.Name(settings.Encryption),
                ChunkSize = settings.ChunkSize,
                Key = kek is null ? null : await kek.WrapAsync(key, cancellationToken),
                Objects = parts,
                Statistics = new BackupStatistics
                {
                    Files = archived.Files,
                    Folders = archived.Folders,
                    FilesBytes = archived.Bytes,
                    OriginalBytes = parts.Sum(p => p.PlainSize),
                    StoredBytes = parts.Sum(p => p.StoredSize),
                },
                Tool = "BackupFunctions.Core.Tests/MultiVolumeBackup",
            };
            using (var content = new MemoryStream(ManifestFile.Write(manifest, key)))
                await store.PutAsync(folder + ManifestFile.FileName, content, cancellationToken);
            return manifest;
        }
        finally
        {
            File.Delete(scratch);
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
