using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Restores;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Backups;

/// <summary>
/// Issue 14 item 3, as backupctl writes a backup (<see cref="BackupWriter.WriteFilesAsync(IBackupStore, string, string, PartSettings, ReadOnlyMemory{byte}, FilesSource, FilesWriteOptions, IProgress{ArchiveProgress}?, CancellationToken)"/>):
/// already-compressed files (JPEG, PNG, ZIP, gzip, an extension-less random blob) go into volumes of their own stored
/// with compression <c>none</c>, recorded per part in the manifest and in each part's header; the rest keep zstd. The
/// backup restores byte-exact into a folder and in place, and deep-verifies. With the setting off, every volume is zstd.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CompressedVolumesTests : IDisposable
{
    private const string Prefix = "site1";
    private const string BackupId = "b-compressed-1";
    private static readonly string[] Components = ["config", "uploads"];

    /// <summary>What the classifier must call compressed (the rest of the site's files are text).</summary>
    private static readonly string[] Media =
    [
        "uploads/2024/photo.jpg", "uploads/2024/logo.png", "uploads/2024/thumb-150x150.jpg", "uploads/docs/pack.zip",
        "uploads/docs/dump.sql.gz", "uploads/private/3f9a0c1e7d",
    ];

    private readonly TempFolder _temp = new();
    private readonly LocalKeyFileKek _kek;
    private readonly LocalFolderStore _store;

    public CompressedVolumesTests()
    {
        var keyFile = _temp.Combine("kek.key");
        LocalKeyFileKek.Create(keyFile);
        _kek = new LocalKeyFileKek(keyFile);
        _store = new LocalFolderStore(_temp.Combine("store"));
    }

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    private static string Folder => ObjectNames.BackupFolder(Prefix, BackupId);

    private static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    [Fact]
    public async Task Already_compressed_files_go_into_volumes_stored_as_they_are_recorded_in_the_manifest_and_the_part_headers()
    {
        BuildSite();

        var (manifest, index) = await BackUpAsync(storeCompressedAsIs: true);

        // A part with its own compression makes the backup version 2; the manifest's word stays the config's.
        Assert.Equal(BackupManifest.VolumesFormatVersion, manifest.FormatVersion);
        Assert.Equal("zstd", manifest.Compression);
        var volumes = ManifestVolumes.Of(manifest);
        var uncompressed = volumes.Where(v => v.Compression == "none").Select(v => v.Name).ToHashSet();
        Assert.NotEmpty(uncompressed);
        Assert.Contains(volumes, v => v.Compression is null);
        Assert.All(volumes, v => Assert.True(v.Compression is null or "none", $"{v.Name}: {v.Compression}"));
        // The index is text: it keeps the config's compression.
        Assert.Null(manifest.Objects.Single(o => o.Name == ObjectNames.Index).Compression);

        // Exactly the media are in the volumes stored as they are; folders, links and text never.
        var files = index.Where(e => e.Type == FileIndexEntry.FileType).ToList();
        Assert.Equal(Media.Order(StringComparer.Ordinal), files.Where(e => uncompressed.Contains(e.Volume!)).Select(e => e.Path).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(index, e => e.Type != FileIndexEntry.FileType && uncompressed.Contains(e.Volume!));

        // Each part's header says the same (byte 6: 00 none, 01 zstd), and the stored volume is the tar plus the AEAD's
        // overhead only: nothing was compressed.
        foreach (var volume in volumes)
        {
            var header = await ReadHeaderAsync(volume.Name);
            Assert.Equal(volume.Compression == "none" ? 0x00 : 0x01, header[6]);
        }
        foreach (var volume in volumes.Where(v => v.Compression == "none"))
        {
            var chunks = (volume.PlainSize + manifest.ChunkSize - 1) / manifest.ChunkSize;
            Assert.Equal(18 + volume.PlainSize + 16 * Math.Max(chunks, 1), volume.StoredSize);
        }
    }

    [Fact]
    public async Task A_backup_with_volumes_stored_as_they_are_restores_byte_exact_into_a_folder_and_deep_verifies()
    {
        BuildSite();
        var (manifest, _) = await BackUpAsync(storeCompressedAsIs: true);
        Assert.Contains(manifest.Objects, o => o.Compression == "none");

        var runner = new RestoreRunner(_kek, new PostgresRestorer(Tools), new PostgresDumper(Tools), NullLogger<RestoreRunner>.Instance);
        var target = _temp.Combine("restored");
        var result = await runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null) { MaxParallelVolumes = 2 }, default);

        Assert.Equal(InPlaceFileRestoreTests.Snapshot(Site), InPlaceFileRestoreTests.Snapshot(target));
        Assert.All(Media, path => Assert.Equal(File.ReadAllBytes(Path.Combine(Site, path)), File.ReadAllBytes(Path.Combine(target, path))));
        Assert.Equal(manifest.Statistics.FilesBytes, result.Bytes);

        var deep = await new DeepVerifier(new PostgresRestorer(Tools), TimeProvider.System).VerifyAsync(_store, Folder, BackupId, _kek, false, default);
        Assert.True(deep.Ok, string.Join("; ", deep.Problems));
        Assert.Equal(manifest.Objects.Count + 1, deep.Objects);
        Assert.Equal(manifest.Statistics.FilesBytes, deep.FilesBytes);
    }

    [Fact]
    public async Task A_backup_with_volumes_stored_as_they_are_restores_in_place_exactly_as_backed_up()
    {
        BuildSite();
        var atBackup = InPlaceFileRestoreTests.Snapshot(Site);
        var (manifest, _) = await BackUpAsync(storeCompressedAsIs: true);
        Assert.Contains(manifest.Objects, o => o.Compression == "none");
        File.WriteAllBytes(Path.Combine(Site, "uploads/2024/photo.jpg"), Jpeg(1234));
        File.Delete(Path.Combine(Site, "uploads/docs/pack.zip"));
        File.WriteAllText(Path.Combine(Site, "uploads/added.txt"), "added after the backup");

        var inPlace = new InPlaceRestorer(_kek, Tools, NullLogger<InPlaceRestorer>.Instance);
        var target = new InPlaceRestoreTarget("job-compressed", _store, Prefix, BackupId, Site, null) { MaxParallelVolumes = 2 };
        await inPlace.ProveAsync(target, default);
        await inPlace.StageFilesAsync(target, null, null, default);
        inPlace.SwapFiles(target);
        var verified = await inPlace.VerifyFilesAsync(target, null, default);
        inPlace.Complete(target);

        Assert.Equal(atBackup, InPlaceFileRestoreTests.Snapshot(Site));
        Assert.NotNull(verified);
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
    }

    [Fact]
    public async Task With_the_setting_off_every_volume_is_stored_with_the_configs_compression()
    {
        BuildSite();

        var (manifest, index) = await BackUpAsync(storeCompressedAsIs: false, VolumeLimits.Default);

        Assert.DoesNotContain(manifest.Objects, o => o.Compression is not null);
        // Nothing kept apart: one volume of the whole site, so the backup stays version 1.
        Assert.Equal(ObjectNames.FirstFilesVolume, Assert.Single(ManifestVolumes.Of(manifest)).Name);
        Assert.Equal(BackupManifest.CurrentFormatVersion, manifest.FormatVersion);
        Assert.Equal(0x01, (await ReadHeaderAsync(ObjectNames.FirstFilesVolume))[6]);
        Assert.All(index, e => Assert.Equal(ObjectNames.FirstFilesVolume, e.Volume));
        var target = _temp.Combine("restored");
        var runner = new RestoreRunner(_kek, new PostgresRestorer(Tools), new PostgresDumper(Tools), NullLogger<RestoreRunner>.Instance);
        await runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null), default);
        Assert.Equal(InPlaceFileRestoreTests.Snapshot(Site), InPlaceFileRestoreTests.Snapshot(target));
    }

    /// <summary>
    /// Writes the files (volumes of at most 400 KB unless <paramref name="limits"/> say otherwise, so the media span
    /// several volumes of their own) and the manifest,
    /// as backupctl does; returns the verified manifest and the index.
    /// </summary>
    private async Task<(BackupManifest Manifest, IReadOnlyList<FileIndexEntry> Index)> BackUpAsync(bool storeCompressedAsIs, VolumeLimits? limits = null)
    {
        var settings = new PartSettings();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var files = await BackupWriter.WriteFilesAsync(_store, Folder, BackupId, settings, dataKey,
            new FilesSource { Root = Site, Components = Components }, new FilesWriteOptions { Limits = limits ?? new VolumeLimits(400_000, 1000), StoreCompressedAsIs = storeCompressedAsIs }, null, default);
        var envelope = await _kek.WrapAsync(dataKey, default);
        var startedAt = new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
        var draft = new ManifestDraft(BackupId, "cfg", startedAt, startedAt.AddMinutes(1), settings, envelope, null, files);
        await BackupWriter.WriteManifestAsync(_store, Folder, draft, dataKey, default);

        var (unverified, _) = await StoredManifest.ReadAsync(_store, Folder, default);
        var key = await ManifestKeys.OpenAsync(unverified, _kek, allowUnencrypted: false, default);
        var manifest = unverified.Verify(key, BackupId);
        var part = manifest.Objects.Single(o => o.Name == ObjectNames.Index);
        await using var index = await PartReader.OpenAsync(_store, Folder + part.Name, BackupId, part, manifest, key, default);
        return (manifest, await FileIndex.ReadAsync(index, default));
    }

    private async Task<byte[]> ReadHeaderAsync(string part)
    {
        await using var stored = File.OpenRead(Path.Combine(_temp.Combine("store"), Prefix, "backups", BackupId, part));
        var header = new byte[18];
        await stored.ReadExactlyAsync(header);
        Assert.Equal("BFP1"u8.ToArray(), header[..4]);
        return header;
    }

    private void BuildSite()
    {
        Write("config/settings.php", Encoding.UTF8.GetBytes("<?php $db = 'x';\n" + string.Concat(Enumerable.Repeat("define('KEY', 'value');\n", 4000))));
        Write("uploads/2024/photo.jpg", Jpeg(300_000));
        // Small: judged by its extension alone (no read in the plan).
        Write("uploads/2024/thumb-150x150.jpg", Jpeg(6_000));
        Write("uploads/2024/logo.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. RandomNumberGenerator.GetBytes(120_000)]);
        // Named .jpg but text: the sample says it compresses, so it stays with the text.
        Write("uploads/2024/notes.jpg", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("not a picture, just notes\n", 5000))));
        Write("uploads/docs/pack.zip", Zip());
        Write("uploads/docs/dump.sql.gz", Gzip(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"INSERT INTO t VALUES ({i}, '{i * 7919 % 10007}');\n")))));
        // No extension, random bytes (a CMS storing uploads under hashed names): the sample's entropy says it.
        Write("uploads/private/3f9a0c1e7d", RandomNumberGenerator.GetBytes(200_000));
        Write("uploads/readme.txt", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("hello world\n", 10_000))));
        Write("uploads/empty.txt", []);
        Directory.CreateDirectory(Path.Combine(Site, "uploads", "empty-folder"));
        File.CreateSymbolicLink(Path.Combine(Site, "uploads", "latest.jpg"), "2024/photo.jpg");
    }

    private void Write(string relative, byte[] content)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>A JPEG's start (SOI, APP0 JFIF) and entropy-coded-looking bytes: what the classifier reads of a photo.</summary>
    private static byte[] Jpeg(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        byte[] start = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00];
        start.CopyTo(bytes, 0);
        return bytes;
    }

    private static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < 3; i++)
            {
                using var entry = zip.CreateEntry($"file{i}.txt").Open();
                entry.Write(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 20_000).Select(n => $"{n * (i + 3) % 9973},"))));
            }
        }
        return buffer.ToArray();
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            gzip.Write(content);
        return buffer.ToArray();
    }
}
