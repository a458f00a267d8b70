using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// The readers of a backup in several files volumes (format version 2, docs/format.md): a site split into 3 volumes by
/// the test writer (<see cref="MultiVolumeBackup"/>) — a folder whose files span two volumes, an empty folder, a
/// symbolic link, unicode names, modes — restores byte-exact into a folder and in place with one or two volumes at a
/// time, previews and deep-verifies; a damaged or missing volume fails before anything live changes.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MultiVolumeRestoreTests : IDisposable
{
    private const string Prefix = "site1";
    private const string BackupId = "b-volumes-1";
    private static readonly string[] Components = ["config", "themes", "uploads"];
    private const string Unicode = "uploads/ünïcødé 日本.txt";

    private readonly TempFolder _temp = new();
    private readonly LocalKeyFileKek _kek;
    private readonly LocalFolderStore _store;

    public MultiVolumeRestoreTests()
    {
        var keyFile = _temp.Combine("kek.key");
        LocalKeyFileKek.Create(keyFile);
        _kek = new LocalKeyFileKek(keyFile);
        _store = new LocalFolderStore(_temp.Combine("store"));
    }

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    private static string Folder => ObjectNames.BackupFolder(Prefix, BackupId);

    private string PartFile(string part) => Path.Combine(_temp.Combine("store"), Prefix, "backups", BackupId, part);

    private static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    private RestoreRunner Runner => new(_kek, new PostgresRestorer(Tools), new PostgresDumper(Tools), NullLogger<RestoreRunner>.Instance);

    private InPlaceRestorer InPlace => new(_kek, Tools, NullLogger<InPlaceRestorer>.Instance);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task A_site_in_three_volumes_restores_byte_exact_into_a_folder(int parallel)
    {
        BuildSite();
        var manifest = await BackUpAsync();
        Assert.Equal(BackupManifest.VolumesFormatVersion, manifest.FormatVersion);
        Assert.Equal(["files-00001.part", "files-00002.part", "files-00003.part"], ManifestVolumes.Of(manifest).Select(v => v.Name));

        var target = _temp.Combine("restored");
        var result = await Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null) { MaxParallelVolumes = parallel }, default);

        Assert.Equal(InPlaceFileRestoreTests.Snapshot(Site), InPlaceFileRestoreTests.Snapshot(target));
        Assert.Equal(manifest.Statistics.Files, result.Files);
        Assert.Equal(manifest.Statistics.FilesBytes, result.Bytes);
        Assert.Equal(["restored"], Directory.EnumerateFileSystemEntries(_temp.Path).Select(Path.GetFileName).Where(n => n!.StartsWith("restored", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Each_volume_holds_its_own_part_of_the_site()
    {
        BuildSite();
        await BackUpAsync();
        var index = await ReadIndexAsync();
        // The folder uploads/big is in volume 1, some of its files in volume 2; uploads' entry is in volume 1, its
        // later entries in volume 3.
        Assert.Equal("files-00001.part", index.Single(e => e.Path == "uploads/big").Volume);
        Assert.Equal("files-00001.part", index.Single(e => e.Path == "uploads/big/a.bin").Volume);
        Assert.Equal("files-00002.part", index.Single(e => e.Path == "uploads/big/c.bin").Volume);
        Assert.Equal("files-00003.part", index.Single(e => e.Path == "uploads/empty").Volume);
        Assert.Equal("files-00003.part", index.Single(e => e.Path == Unicode).Volume);
    }

    [Fact]
    public async Task A_site_in_three_volumes_is_restored_in_place_exactly_as_backed_up()
    {
        BuildSite();
        var atBackup = InPlaceFileRestoreTests.Snapshot(Site);
        await BackUpAsync();
        ChangeSite();
        Assert.NotEqual(atBackup, InPlaceFileRestoreTests.Snapshot(Site));

        var target = Target("job-volumes");
        var proof = await InPlace.ProveAsync(target, default);
        var staged = await InPlace.StageFilesAsync(target, null, null, default);
        InPlace.SwapFiles(target);
        var verified = await InPlace.VerifyFilesAsync(target, null, default);
        InPlace.Complete(target);

        Assert.Equal(atBackup, InPlaceFileRestoreTests.Snapshot(Site));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
        Assert.Equal(proof.FileCount, staged!.Created + staged.Overwritten);
        Assert.Equal(staged.Created + staged.Overwritten, verified!.Verified);
        // Unchanged live files in every volume were proven and reused, not rewritten (each volume its own look-ahead).
        Assert.True(staged.Unchanged >= 6, $"{staged.Unchanged} reused");
        var manifest = await ManifestAsync();
        Assert.Equal(manifest.Objects.Sum(o => o.StoredSize), proof.StoredBytes);
    }

    [Fact]
    public async Task A_preview_of_a_backup_in_three_volumes_names_what_the_restore_changes()
    {
        BuildSite();
        await BackUpAsync();
        ChangeSite();

        var preview = await new RestorePreviewer(_kek).PreviewAsync(
            new RestorePreviewRequest(_store, Prefix, BackupId, Site, Components, null), default);

        var files = preview.Files!;
        Assert.Equal(["uploads/big/e.bin"], files.Create.Paths);
        Assert.Equal(["uploads/big/c.bin"], files.Overwrite.Paths);
        Assert.Contains("uploads/added.txt", files.Delete.Paths);
    }

    [Fact]
    public async Task Deep_verification_reads_every_volume()
    {
        BuildSite();
        var manifest = await BackUpAsync();

        var result = await new DeepVerifier(new PostgresRestorer(Tools), TimeProvider.System).VerifyAsync(_store, Folder, BackupId, _kek, false, default);

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        // The manifest and every part.
        Assert.Equal(manifest.Objects.Count + 1, result.Objects);
        Assert.Equal(manifest.Statistics.FilesBytes, result.FilesBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_damaged_second_volume_fails_the_restore_and_leaves_no_target(int parallel)
    {
        BuildSite();
        await BackUpAsync();
        FlipByte(PartFile("files-00002.part"));

        var target = _temp.Combine("restored");
        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null) { MaxParallelVolumes = parallel }, default));

        Assert.Contains("files-00002.part", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path), p => Path.GetFileName(p).StartsWith("restored", StringComparison.Ordinal));
        var deep = await new DeepVerifier(new PostgresRestorer(Tools), TimeProvider.System).VerifyAsync(_store, Folder, BackupId, _kek, false, default);
        Assert.Contains(deep.Problems, p => p.StartsWith("files-00002.part", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_damaged_second_volume_fails_an_in_place_restore_before_anything_live_changes()
    {
        BuildSite();
        await BackUpAsync();
        ChangeSite();
        var live = InPlaceFileRestoreTests.Snapshot(Site);
        FlipByte(PartFile("files-00002.part"));

        var target = Target("job-bad-volume");
        await InPlace.ProveAsync(target, default);
        var error = await Assert.ThrowsAsync<IntegrityException>(() => InPlace.StageFilesAsync(target, null, null, default));

        Assert.Contains("files-00002.part", error.Message, StringComparison.Ordinal);
        Assert.Equal(live, InPlaceFileRestoreTests.Snapshot(Site));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
    }

    [Fact]
    public async Task A_missing_second_volume_is_refused_before_anything_is_written()
    {
        BuildSite();
        await BackUpAsync();
        ChangeSite();
        var live = InPlaceFileRestoreTests.Snapshot(Site);
        File.Delete(PartFile("files-00002.part"));

        var target = _temp.Combine("restored");
        var error = await Assert.ThrowsAsync<IntegrityException>(() => Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null), default));
        Assert.Contains("files-00002.part", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));

        var inPlace = await Assert.ThrowsAsync<IntegrityException>(() => InPlace.ProveAsync(Target("job-missing"), default));
        Assert.Contains("files-00002.part", inPlace.Message, StringComparison.Ordinal);
        Assert.Equal(live, InPlaceFileRestoreTests.Snapshot(Site));
    }

    [Fact]
    public async Task A_version_1_manifest_listing_two_volumes_is_refused_as_damaged()
    {
        BuildSite();
        await BackUpAsync(formatVersion: 1);

        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, _temp.Combine("restored"), null), default));

        Assert.Contains("format version 1 has at most one files volume", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("restored")));
        var deep = await new DeepVerifier(new PostgresRestorer(Tools), TimeProvider.System).VerifyAsync(_store, Folder, BackupId, _kek, false, default);
        Assert.False(deep.Ok);
    }

    [Fact]
    public async Task A_volume_with_its_own_compression_reads_as_that_compression()
    {
        BuildSite();
        var manifest = await BackUpAsync(own: new Dictionary<int, CompressionAlgorithm> { [2] = CompressionAlgorithm.None });
        var second = manifest.Objects.Single(o => o.Name == "files-00002.part");
        Assert.Equal("none", second.Compression);
        Assert.Equal("zstd", manifest.Compression);
        // Stored as it is: the random files of volume 2 are not compressed, and the manifest JSON names it.
        Assert.Contains("\"compression\": \"none\"", Encoding.UTF8.GetString(File.ReadAllBytes(PartFile(ObjectNames.Manifest))), StringComparison.Ordinal);

        var target = _temp.Combine("restored");
        await Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null), default);

        Assert.Equal(InPlaceFileRestoreTests.Snapshot(Site), InPlaceFileRestoreTests.Snapshot(target));
        var deep = await new DeepVerifier(new PostgresRestorer(Tools), TimeProvider.System).VerifyAsync(_store, Folder, BackupId, _kek, false, default);
        Assert.True(deep.Ok, string.Join("; ", deep.Problems));
    }

    [Fact]
    public async Task A_part_read_with_the_manifest_compression_instead_of_its_own_fails_its_header_check()
    {
        BuildSite();
        var manifest = await BackUpAsync(own: new Dictionary<int, CompressionAlgorithm> { [2] = CompressionAlgorithm.None });
        var key = await ManifestKeys.OpenAsync((await StoredManifest.ReadAsync(_store, Folder, default)).Item1, _kek, false, default);
        var second = manifest.Objects.Single(o => o.Name == "files-00002.part");

        // As a reader that ignored the part's own compression would: the part header says none, the manifest zstd.
        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            PartReader.VerifyAsync(_store, Folder + second.Name, BackupId, second with { Compression = null }, manifest, key, default));
        Assert.Contains("files-00002.part", error.Message, StringComparison.Ordinal);
        await PartReader.VerifyAsync(_store, Folder + second.Name, BackupId, second, manifest, key, default);
    }

    [Fact]
    public async Task A_version_1_manifest_with_a_part_of_its_own_compression_is_refused()
    {
        BuildSite();
        await BackUpAsync(formatVersion: 1, oneVolume: true, own: new Dictionary<int, CompressionAlgorithm> { [1] = CompressionAlgorithm.None });

        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, _temp.Combine("restored"), null), default));
        Assert.Contains("only format version 2 may have", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uploads/empty", "files-00004.part", "uploads/empty", "names the volume 'files-00004.part', which the manifest does not list")]
    [InlineData("config", "files-00003.part", "config/settings.php", "an entry of files-00001.part after those of a later volume")]
    public async Task An_index_naming_an_unlisted_volume_or_volumes_out_of_order_is_refused_before_anything_is_extracted(
        string path, string volume, string named, string reason)
    {
        BuildSite();
        await BackUpAsync(damageIndex: e => e.Path == path ? e with { Volume = volume } : e);

        var target = _temp.Combine("restored");
        var error = await Assert.ThrowsAsync<IntegrityException>(() => Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null), default));

        Assert.Equal($"{ObjectNames.Index}: {named}: {reason}", error.Message.Replace(" or of another backup (own volumes come first, ascending)", "", StringComparison.Ordinal));
        Assert.False(Directory.Exists(target));
        var deep = await new DeepVerifier(new PostgresRestorer(Tools), TimeProvider.System).VerifyAsync(_store, Folder, BackupId, _kek, false, default);
        Assert.Contains(deep.Problems, p => p.StartsWith(ObjectNames.Index, StringComparison.Ordinal) && p.Contains(reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_single_volume_version_2_backup_restores_as_before()
    {
        BuildSite();
        await BackUpAsync(oneVolume: true);

        var target = _temp.Combine("restored");
        await Runner.RestoreAsync(new RestoreRequest(_store, Prefix, BackupId, target, null), default);

        Assert.Equal(InPlaceFileRestoreTests.Snapshot(Site), InPlaceFileRestoreTests.Snapshot(target));
    }

    private InPlaceRestoreTarget Target(string jobId) => new(jobId, _store, Prefix, BackupId, Site, null) { MaxParallelVolumes = 2 };

    /// <summary>
    /// Volume 1 up to uploads/big/b.bin, volume 2 from uploads/big/c.bin (the rest of that folder), volume 3 from
    /// uploads/empty on (files of uploads, whose folder entry is in volume 1).
    /// </summary>
    private Task<BackupManifest> BackUpAsync(
        int formatVersion = 2, bool oneVolume = false, IReadOnlyDictionary<int, CompressionAlgorithm>? own = null, Func<FileIndexEntry, FileIndexEntry>? damageIndex = null)
    {
        var volume = 1;
        return new MultiVolumeBackup
        {
            DamageIndex = damageIndex,
            FormatVersion = formatVersion,
            OwnCompression = own ?? new Dictionary<int, CompressionAlgorithm>(),
            VolumeOf = (_, entry) =>
            {
                if (!oneVolume && entry.Path is "uploads/big/c.bin" or "uploads/empty")
                    volume++;
                return volume;
            },
        }.WriteAsync(_store, Folder, BackupId, Site, Components, _kek);
    }

    private async Task<BackupManifest> ManifestAsync()
    {
        var (unverified, _) = await StoredManifest.ReadAsync(_store, Folder, default);
        var key = await ManifestKeys.OpenAsync(unverified, _kek, allowUnencrypted: false, default);
        return unverified.Verify(key, BackupId);
    }

    private async Task<IReadOnlyList<FileIndexEntry>> ReadIndexAsync()
    {
        var (unverified, _) = await StoredManifest.ReadAsync(_store, Folder, default);
        var key = await ManifestKeys.OpenAsync(unverified, _kek, allowUnencrypted: false, default);
        var manifest = unverified.Verify(key, BackupId);
        var part = manifest.Objects.Single(o => o.Name == ObjectNames.Index);
        await using var index = await PartReader.OpenAsync(_store, Folder + part.Name, BackupId, part, manifest, key, default);
        return await FileIndex.ReadAsync(index, default);
    }

    private void BuildSite()
    {
        Write("config/settings.php", "<?php $db = 'x';"u8.ToArray(), (UnixFileMode)0b110_100_000);
        Write("themes/t1/style.css", "body{}"u8.ToArray());
        File.CreateSymbolicLink(Path.Combine(Site, "themes", "link"), "../uploads/a.txt");
        Write("uploads/a.txt", "original a"u8.ToArray());
        foreach (var name in new[] { "a", "b", "c", "d", "e", "f" })
            Write($"uploads/big/{name}.bin", RandomNumberGenerator.GetBytes(300_000));
        File.SetUnixFileMode(Path.Combine(Site, "uploads", "big"), (UnixFileMode)0b111_101_000);
        Directory.CreateDirectory(Path.Combine(Site, "uploads", "empty"));
        Write(Unicode, "ünïcødé"u8.ToArray());
        foreach (var dir in Directory.EnumerateDirectories(Site, "*", SearchOption.AllDirectories).Reverse())
            Directory.SetLastWriteTimeUtc(dir, new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc));
    }

    /// <summary>One file of volume 2 changed, one deleted, one added; the rest as backed up.</summary>
    private void ChangeSite()
    {
        File.WriteAllBytes(Path.Combine(Site, "uploads", "big", "c.bin"), "changed"u8.ToArray());
        File.Delete(Path.Combine(Site, "uploads", "big", "e.bin"));
        File.WriteAllBytes(Path.Combine(Site, "uploads", "added.txt"), "added"u8.ToArray());
    }

    private void Write(string relative, byte[] content, UnixFileMode? mode = null)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        if (mode is { } m)
            File.SetUnixFileMode(path, m);
        File.SetLastWriteTimeUtc(path, new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc));
    }

    private static void FlipByte(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var at = stream.Length / 2;
        stream.Position = at;
        var value = stream.ReadByte();
        stream.Position = at;
        stream.WriteByte((byte)(value ^ 0x5A));
    }
}
