using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Support;

/// <summary>
/// Tests only (the service's writer of incremental backups is the planner on main): writes a full or incremental backup
/// by the contract of docs/format.md ("Incremental backups") from the engine's low-level pieces, so that the readers can
/// be tested against it, and against what a writer must never produce (<see cref="DamageIndex"/>,
/// <see cref="DamageManifest"/>). The site is archived once by <see cref="SiteArchiver"/>; with a base, a file whose
/// path, size, mtime and mode equal a file of the base's index is not stored again: its entry is the base's, with
/// <c>backup</c> naming the backup that holds it. Everything else goes into this backup's own volumes, dealt out by
/// <see cref="VolumeOf"/>; the index lists own volumes, then the groups by (backup, volume) in the order of the
/// references (first use along the walk), each in walk order.
/// </summary>
public sealed class ChainBackup
{
    /// <summary>Which own volume (from 1) each stored entry goes to, by its place among them in walk order; must never decrease.</summary>
    public Func<int, FileIndexEntry, int> VolumeOf { get; init; } = (_, _) => 1;

    public PartSettings Settings { get; init; } = new();

    /// <summary>Own volumes stored with their own compression.</summary>
    public IReadOnlyDictionary<int, CompressionAlgorithm> OwnCompression { get; init; } = new Dictionary<int, CompressionAlgorithm>();

    /// <summary>Changes the index as written (the whole list, in order), to test refusals; null: none.</summary>
    public Func<IReadOnlyList<FileIndexEntry>, IEnumerable<FileIndexEntry>>? DamageIndex { get; init; }

    /// <summary>Changes the manifest before it is MAC'ed (a forged reference, to test refusals); null: none.</summary>
    public Func<BackupManifest, BackupManifest>? DamageManifest { get; init; }

    /// <summary>
    /// Writes backup <paramref name="backupId"/> of the site into <c>&lt;prefix&gt;/backups/&lt;id&gt;/</c>: a full one when
    /// <paramref name="baseId"/> is null, else an incremental one on that base (read back with <paramref name="kek"/>).
    /// </summary>
    public async Task<BackupManifest> WriteAsync(
        IBackupStore store, string prefix, string backupId, string? baseId, string siteRoot, IReadOnlyList<string> components, IKeyEncryptionKey? kek,
        CancellationToken cancellationToken = default)
    {
        var settings = kek is null ? Settings with { Encryption = EncryptionAlgorithm.None } : Settings;
        var folder = ObjectNames.BackupFolder(prefix, backupId);
        var key = kek is null ? [] : RandomNumberGenerator.GetBytes(32);
        var scratch = Path.Combine(Path.GetTempPath(), "bf-chain-" + Guid.NewGuid().ToString("N") + ".tar");
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

            var baseIndex = baseId is null ? [] : await ReadIndexAsync(store, prefix, baseId, kek, cancellationToken);
            var stored = new bool[entries.Count];
            var pointed = new List<FileIndexEntry>();
            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                if (entry.Type == FileIndexEntry.FileType && baseIndex.TryGetValue(entry.Path, out var old) && old.Type == FileIndexEntry.FileType
                    && old.Size == entry.Size && old.ModifiedAt == entry.ModifiedAt && old.Mode == entry.Mode)
                {
                    pointed.Add(old with { Backup = old.Backup ?? baseId });
                }
                else
                {
                    stored[i] = true;
                }
            }

            var own = entries.Where((_, i) => stored[i]).ToList();
            var volumeOf = own.Select((e, i) => VolumeOf(i, e)).ToArray();
            var count = volumeOf.Length == 0 ? 1 : volumeOf.Max();
            var parts = new List<StoredPart>();
            for (var volume = 1; volume <= count; volume++)
            {
                var name = ManifestVolumes.Name(volume);
                var ownCompression = OwnCompression.TryGetValue(volume, out var c) ? c : (CompressionAlgorithm?)null;
                var number = volume;
                var part = await PartWriter.WriteAsync(store, folder + name, backupId, name, ManifestVolumes.FilesKind,
                    ownCompression is { } oc ? settings with { Compression = oc } : settings, key,
                    async (plaintext, ct) =>
                    {
                        await using var input = File.OpenRead(scratch);
                        await using var reader = new TarReader(input);
                        await using var writer = new TarWriter(plaintext, TarEntryFormat.Pax, leaveOpen: true);
                        var at = 0;
                        var ownAt = 0;
                        while (await reader.GetNextEntryAsync(copyData: false, ct) is { } entry)
                        {
                            if (stored[at++] && volumeOf[ownAt++] == number)
                                await writer.WriteEntryAsync(entry, ct);
                        }
                    }, cancellationToken);
                parts.Add(ownCompression is { } used ? part with { Compression = CompressionStreams.Name(used) } : part);
            }

            // The referenced backups in the order of first use along the walk; their volumes ascending.
            var order = pointed.Select(e => e.Backup!).Distinct().ToList();
            var references = new List<BackupReference>();
            foreach (var holder in order)
            {
                var (holderManifest, _) = await StoredManifest.ReadAsync(store, ObjectNames.BackupFolder(prefix, holder), cancellationToken);
                var volumes = pointed.Where(e => e.Backup == holder).Select(e => e.Volume).Distinct().OrderBy(ManifestVolumes.Number)
                    .Select(v => holderManifest.Manifest.Objects.Single(o => o.Name == v)).ToList();
                references.Add(new BackupReference(holder, volumes));
            }
            var index = own.Select((e, i) => e with { Volume = ManifestVolumes.Name(volumeOf[i]) })
                .Concat(pointed.OrderBy(e => order.IndexOf(e.Backup!)).ThenBy(e => ManifestVolumes.Number(e.Volume)))
                .ToList();
            IEnumerable<FileIndexEntry> written = DamageIndex?.Invoke(index) ?? index;

            parts.Add(await PartWriter.WriteAsync(store, folder + ObjectNames.Index, backupId, ObjectNames.Index, "index", settings, key,
                (plaintext, ct) => FileIndex.WriteAsync(written, plaintext, ct), cancellationToken));

            var createdAt = new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
            var manifest = new BackupManifest
            {
                FormatVersion = BackupManifest.VolumesFormatVersion,
                BackupId = backupId,
                ConfigId = "cfg",
                Type = baseId is null ? BackupTypes.Full : BackupTypes.Incremental,
                BaseBackupId = baseId,
                CreatedAt = createdAt,
                CompletedAt = createdAt.AddMinutes(1),
                Compression = CompressionStreams.Name(settings.Compression),
                CompressionLevel = settings.CompressionLevel,
                Encryption = EncryptionAlgorithms.Name(settings.Encryption),
                ChunkSize = settings.ChunkSize,
                Key = kek is null ? null : await kek.WrapAsync(key, cancellationToken),
                Objects = parts,
                References = references.Count == 0 ? null : references,
                Statistics = new BackupStatistics
                {
                    Files = archived.Files,
                    Folders = archived.Folders,
                    FilesBytes = archived.Bytes,
                    OriginalBytes = parts.Sum(p => p.PlainSize),
                    StoredBytes = parts.Sum(p => p.StoredSize),
                    UnchangedFiles = pointed.Count,
                },
                Tool = "BackupFunctions.Core.Tests/ChainBackup",
            };
            manifest = DamageManifest?.Invoke(manifest) ?? manifest;
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

    /// <summary>A backup's index by path (its MAC checked).</summary>
    public static async Task<Dictionary<string, FileIndexEntry>> ReadIndexAsync(
        IBackupStore store, string prefix, string backupId, IKeyEncryptionKey? kek, CancellationToken cancellationToken = default)
    {
        var folder = ObjectNames.BackupFolder(prefix, backupId);
        var (unverified, _) = await StoredManifest.ReadAsync(store, folder, cancellationToken);
        var key = await ManifestKeys.OpenAsync(unverified, kek, allowUnencrypted: kek is null, cancellationToken);
        try
        {
            var manifest = unverified.Verify(key, backupId);
            var part = manifest.Objects.Single(o => o.Name == ObjectNames.Index);
            await using var index = await PartReader.OpenAsync(store, folder + part.Name, backupId, part, manifest, key, cancellationToken);
            return (await FileIndex.ReadAsync(index, cancellationToken)).ToDictionary(e => e.Path, StringComparer.Ordinal);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
