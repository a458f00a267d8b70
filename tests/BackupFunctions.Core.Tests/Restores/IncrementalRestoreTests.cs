using System.Security.Cryptography;
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
/// The readers of incremental backups (docs/format.md, "Incremental backups"): a chain full → 5 incrementals written by
/// the engine's writer (files changed, added, deleted, renamed, a mode changed, a file replaced by a folder; the full in
/// three volumes) — and one by the test writer <see cref="ChainBackup"/>, with a volume stored without compression — restores each
/// of its 6 points byte-exact (names, bytes, modes, times, empty folders, symbolic links) into a folder and in place;
/// deep verification of the newest reads every referenced volume; a missing referenced backup, a referenced volume with
/// a flipped byte, a forged reference and an index that breaks the contract each fail naming what.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class IncrementalRestoreTests : IDisposable
{
    private const string Prefix = "site1";
    private static readonly string[] Components = ["config", "themes", "uploads"];
    private static readonly string[] Ids = ["b0-full", "b1-incr", "b2-incr", "b3-incr", "b4-incr", "b5-incr"];

    private readonly TempFolder _temp = new();
    private readonly LocalKeyFileKek _kek;
    private readonly LocalFolderStore _store;

    public IncrementalRestoreTests()
    {
        var keyFile = _temp.Combine("kek.key");
        LocalKeyFileKek.Create(keyFile);
        _kek = new LocalKeyFileKek(keyFile);
        _store = new LocalFolderStore(_temp.Combine("store"));
    }

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    private static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    private RestoreRunner Runner => new(_kek, new PostgresRestorer(Tools), new PostgresDumper(Tools), NullLogger<RestoreRunner>.Instance);

    private InPlaceRestorer InPlace => new(_kek, Tools, NullLogger<InPlaceRestorer>.Instance);

    private static DeepVerifier Deep => new(new PostgresRestorer(Tools), TimeProvider.System);

    private string PartFile(string backupId, string part) => Path.Combine(_temp.Combine("store"), Prefix, "backups", backupId, part);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Each_point_of_a_chain_of_five_incrementals_restores_byte_exact_into_a_folder(int parallel)
    {
        var points = await BuildChainAsync();

        for (var i = 0; i < Ids.Length; i++)
        {
            var target = _temp.Combine("restored-" + i);
            var result = await Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[i], target, null) { MaxParallelVolumes = parallel }, default);
            Assert.Equal(points[i], InPlaceFileRestoreTests.Snapshot(target));
            Assert.Equal(points[i].Count(p => !p.Value.StartsWith("dir ", StringComparison.Ordinal)), result.Files);
        }
    }

    [Fact]
    public async Task A_chain_whose_referenced_volume_is_stored_without_compression_restores_byte_exact()
    {
        var points = await BuildChainAsync(testWriter: true);
        var newest = await ManifestAsync(Ids[5]);
        // b4's second volume has its own compression; b5 reads it from there (with b4's key and settings).
        Assert.Contains(ManifestReferences.Of(newest), r => r.BackupId == Ids[4] && r.Objects.Any(o => o.Compression == "none"));

        for (var i = 0; i < Ids.Length; i++)
        {
            var target = _temp.Combine("restored-" + i);
            await Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[i], target, null) { MaxParallelVolumes = 2 }, default);
            Assert.Equal(points[i], InPlaceFileRestoreTests.Snapshot(target));
        }
        var deep = await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[5]), Ids[5], _kek, false, default);
        Assert.True(deep.Ok, string.Join("; ", deep.Problems));
    }

    [Fact]
    public async Task The_chain_stores_only_what_changed_and_points_at_the_backups_that_hold_the_rest()
    {
        await BuildChainAsync();
        var newest = await ManifestAsync(Ids[5]);
        var index = await ChainBackup.ReadIndexAsync(_store, Prefix, Ids[5], _kek);

        // Unchanged since the full: its files in its first and its last volume are read from there.
        var full = await ManifestAsync(Ids[0]);
        Assert.True(ManifestVolumes.Of(full).Count >= 2);
        Assert.Equal(Ids[0], index["uploads/big/a.bin"].Backup);
        Assert.Equal("files-00001.part", index["uploads/big/a.bin"].Volume);
        Assert.Equal(Ids[0], index["uploads/big/f.bin"].Backup);
        Assert.Equal(ManifestVolumes.Of(full)[^1].Name, index["uploads/big/f.bin"].Volume);
        // Changed in b1, unchanged since: held by b1. Its mode changed in b3: held by b3.
        Assert.Equal(Ids[1], index["uploads/a.txt"].Backup);
        Assert.Equal(Ids[3], index["config/settings.php"].Backup);
        // Folders and links are always stored anew.
        Assert.Null(index["uploads"].Backup);
        Assert.Null(index["themes/link"].Backup);
        Assert.Equal([Ids[0], Ids[1], Ids[2], Ids[3], Ids[4]], ManifestReferences.BackupIds(newest).Order(StringComparer.Ordinal));
        Assert.Equal(Ids[4], newest.BaseBackupId);
    }

    [Fact]
    public async Task Each_point_of_the_chain_is_restored_in_place_over_the_live_site()
    {
        var points = await BuildChainAsync();

        // From the newest state back to the full and forward again: each restore replaces what the previous left.
        foreach (var i in new[] { 0, 3, 1, 5, 2, 4 })
        {
            var target = new InPlaceRestoreTarget($"job-{i}", _store, Prefix, Ids[i], Site, null) { MaxParallelVolumes = 2 };
            var proof = await InPlace.ProveAsync(target, default);
            var staged = await InPlace.StageFilesAsync(target, null, null, default);
            InPlace.SwapFiles(target);
            var verified = await InPlace.VerifyFilesAsync(target, null, default);
            InPlace.Complete(target);

            Assert.Equal(points[i], InPlaceFileRestoreTests.Snapshot(Site));
            Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
            Assert.Equal(staged!.Created + staged.Overwritten, verified!.Verified);
            // The referenced volumes count into what the restore reads.
            var manifest = await ManifestAsync(Ids[i]);
            var referenced = ManifestReferences.Of(manifest).SelectMany(r => r.Objects).Sum(o => o.StoredSize);
            Assert.Equal(manifest.Objects.Where(o => o.Kind != "database").Sum(o => o.StoredSize) + referenced, proof.StoredBytes);
        }
    }

    [Fact]
    public async Task Deep_verification_of_the_newest_reads_every_referenced_volume()
    {
        var points = await BuildChainAsync();
        var newest = await ManifestAsync(Ids[5]);
        var referenced = ManifestReferences.Of(newest).Sum(r => r.Objects.Count);
        Assert.True(referenced >= 6, $"{referenced} referenced volumes");

        var result = await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[5]), Ids[5], _kek, false, default);

        Assert.True(result.Ok, string.Join("; ", result.Problems));
        // The manifest, every own part and every referenced volume; every file of the site checked against its hash.
        Assert.Equal(1 + newest.Objects.Count + referenced, result.Objects);
        Assert.Equal(points[5].Count(p => !p.Value.StartsWith("dir ", StringComparison.Ordinal)), result.Files);
        Assert.Equal(newest.Statistics.FilesBytes, result.FilesBytes);
    }

    [Fact]
    public async Task A_referenced_volume_with_a_flipped_byte_fails_deep_verification_and_the_restore_naming_it()
    {
        await BuildChainAsync();
        FlipByte(PartFile(Ids[0], "files-00002.part"));
        var target = _temp.Combine("restored");

        var deep = await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[5]), Ids[5], _kek, false, default);
        var error = await Assert.ThrowsAsync<IntegrityException>(() => Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[5], target, null), default));

        Assert.False(deep.Ok);
        Assert.Contains(deep.Problems, p => p.StartsWith($"{Ids[0]}/files-00002.part: ", StringComparison.Ordinal));
        Assert.Contains($"backups/{Ids[0]}/files-00002.part", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        // The full itself fails its own verification too, the incremental b1 (which does not need that volume) does not.
        Assert.False((await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[0]), Ids[0], _kek, false, default)).Ok);
    }

    [Fact]
    public async Task A_missing_referenced_backup_is_refused_before_anything_is_written()
    {
        await BuildChainAsync();
        var live = InPlaceFileRestoreTests.Snapshot(Site);
        File.Delete(PartFile(Ids[1], ObjectNames.Manifest));
        var target = _temp.Combine("restored");

        var error = await Assert.ThrowsAsync<IntegrityException>(() => Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[5], target, null), default));
        var inPlace = await Assert.ThrowsAsync<IntegrityException>(() =>
            InPlace.ProveAsync(new InPlaceRestoreTarget("job-missing", _store, Prefix, Ids[5], Site, null), default));
        var deep = await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[5]), Ids[5], _kek, false, default);

        Assert.Equal($"{Prefix}/backups/{Ids[1]}/manifest.json", error.ObjectName);
        Assert.Contains($"backup {Ids[1]}, which this backup references, is missing", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.ObjectName, inPlace.ObjectName);
        Assert.Contains(deep.Problems, p => p.StartsWith($"{Ids[1]}/manifest.json: ", StringComparison.Ordinal));
        Assert.False(Directory.Exists(target));
        Assert.Equal(live, InPlaceFileRestoreTests.Snapshot(Site));
        // A database-only restore of the same backup needs no referenced backup: nothing else refers to them.
        Assert.False(Directory.Exists(target));
    }

    [Fact]
    public async Task A_missing_referenced_volume_is_refused_naming_it()
    {
        await BuildChainAsync();
        File.Delete(PartFile(Ids[0], "files-00001.part"));

        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[5], _temp.Combine("restored"), null), default));

        Assert.Equal($"{Prefix}/backups/{Ids[0]}/files-00001.part", error.ObjectName);
        Assert.Contains("missing from the destination", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sha256", "SHA-256")]
    [InlineData("storedSize", "stored size")]
    [InlineData("plainSize", "plain size")]
    [InlineData("compression", "compression")]
    public async Task A_forged_reference_is_refused_naming_the_referenced_volume(string field, string named)
    {
        await BuildChainAsync(last: new ChainBackup
        {
            DamageManifest = m => m with
            {
                References = [.. m.References!.Select(r => r.BackupId != Ids[0] ? r : r with
                {
                    Objects = [.. r.Objects.Select(o => o.Name != "files-00001.part" ? o : field switch
                    {
                        "sha256" => o with { Sha256 = Convert.ToHexStringLower(SHA256.HashData("other"u8)) },
                        "storedSize" => o with { StoredSize = o.StoredSize + 1 },
                        "plainSize" => o with { PlainSize = o.PlainSize + 1 },
                        _ => o with { Compression = "none" },
                    })],
                })],
            },
        });

        var target = _temp.Combine("restored");
        var error = await Assert.ThrowsAsync<IntegrityException>(() => Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[5], target, null), default));
        var deep = await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[5]), Ids[5], _kek, false, default);

        Assert.Equal($"{Prefix}/backups/{Ids[0]}/files-00001.part", error.ObjectName);
        Assert.Contains($"with another {named} than this backup's reference records", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.Contains(deep.Problems, p => p.StartsWith($"{Ids[0]}/files-00001.part: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_referenced_backup_whose_manifest_is_another_backups_is_refused()
    {
        await BuildChainAsync();
        // An authentic manifest of b2 put where b1's was: its MAC checks, its id does not.
        File.Copy(PartFile(Ids[2], ObjectNames.Manifest), PartFile(Ids[1], ObjectNames.Manifest), overwrite: true);

        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[5], _temp.Combine("restored"), null), default));

        Assert.Equal($"{Prefix}/backups/{Ids[1]}/manifest.json", error.ObjectName);
        Assert.Contains($"the manifest is that of backup '{Ids[2]}', not '{Ids[1]}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("own", "points into its own backup by id")]
    [InlineData("unknown", "which the manifest's references do not list")]
    [InlineData("folder", "(only files may)")]
    [InlineData("order", "uploads/big/a.bin: an entry of files-00001.part of backup 'b0-full' out of order")]
    [InlineData("unreferenced", "the manifest references b0-full/files-00002.part, but no entry of the index points into it")]
    public async Task An_index_that_breaks_the_contract_of_references_is_refused_before_anything_is_extracted(string damage, string reason)
    {
        await BuildChainAsync(upTo: 2, last: new ChainBackup
        {
            DamageIndex = index => damage switch
            {
                "own" => index.Select(e => e.Path == "uploads/big/a.bin" ? e with { Backup = Ids[2] } : e),
                "unknown" => index.Select(e => e.Path == "uploads/big/a.bin" ? e with { Backup = "b9-none" } : e),
                "folder" => index.Select(e => e.Path == "uploads/big" ? e with { Backup = Ids[0] } : e),
                // One entry of b0 moved after b1's group.
                "order" => index.Where(e => e.Path != "uploads/big/a.bin").Concat(index.Where(e => e.Path == "uploads/big/a.bin")),
                _ => index.Where(e => !(e.Backup == Ids[0] && e.Volume == "files-00002.part")),
            },
        });

        var target = _temp.Combine("restored");
        var error = await Assert.ThrowsAsync<IntegrityException>(() => Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[2], target, null), default));
        var deep = await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[2]), Ids[2], _kek, false, default);

        Assert.Equal(ObjectNames.Index, error.ObjectName);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.Contains(deep.Problems, p => p.StartsWith(ObjectNames.Index + ": ", StringComparison.Ordinal) && p.Contains(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("path", "uploads/big/g.bin: in the index but missing from the archive")]
    [InlineData("sha256", "uploads/big/f.bin: SHA-256 does not match the index")]
    [InlineData("size", "uploads/big/f.bin: 200000 bytes in the archive, 200001 in the index")]
    public async Task An_entry_its_referenced_volume_does_not_hold_as_listed_is_damage_of_that_volume(string damage, string reason)
    {
        // b1's entry for b0's uploads/big/f.bin (in b0's volume 2) names a file that is not there, or not so.
        await BuildChainAsync(upTo: 1, last: new ChainBackup
        {
            DamageIndex = index => index.Select(e => e.Path != "uploads/big/f.bin" ? e : damage switch
            {
                "path" => e with { Path = "uploads/big/g.bin" },
                "sha256" => e with { Sha256 = Convert.ToHexStringLower(SHA256.HashData("other"u8)) },
                _ => e with { Size = e.Size + 1 },
            }),
        });

        var target = _temp.Combine("restored");
        var error = await Assert.ThrowsAsync<IntegrityException>(() =>
            Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[1], target, null) { MaxParallelVolumes = 3 }, default));
        var deep = await Deep.VerifyAsync(_store, ObjectNames.BackupFolder(Prefix, Ids[1]), Ids[1], _kek, false, default);

        Assert.Equal($"{Ids[0]}/files-00002.part", error.ObjectName);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(target));
        Assert.Equal([$"{Ids[0]}/files-00002.part: {reason}"], deep.Problems);
    }

    [Fact]
    public async Task A_selective_restore_of_an_incremental_writes_only_the_included_files_from_every_backup()
    {
        var points = await BuildChainAsync();
        var target = _temp.Combine("restored");

        await Runner.RestoreAsync(new RestoreRequest(_store, Prefix, Ids[5], target, null)
        {
            Include = name => name.StartsWith("uploads/big/", StringComparison.Ordinal) || name == "uploads/a.txt",
            MaxParallelVolumes = 2,
        }, default);

        var restored = InPlaceFileRestoreTests.Snapshot(target);
        Assert.Equal(
            points[5].Where(p => p.Key.StartsWith("uploads/big/", StringComparison.Ordinal) || p.Key == "uploads/a.txt").Select(p => p.Key),
            restored.Keys.Where(k => k is not "uploads" and not "uploads/big"));
        Assert.All(restored.Where(p => p.Key.StartsWith("uploads/big/", StringComparison.Ordinal)), p => Assert.Equal(points[5][p.Key], p.Value));
    }

    [Fact]
    public async Task A_preview_of_an_incremental_reads_its_groups_in_walk_order()
    {
        var points = await BuildChainAsync();
        // The live site is point 5: nothing to change.
        var same = await new RestorePreviewer(_kek).PreviewAsync(new RestorePreviewRequest(_store, Prefix, Ids[5], Site, Components, null), default);
        Assert.Empty(same.Files!.Create.Paths);
        Assert.Empty(same.Files.Overwrite.Paths);
        Assert.Equal(points[5].Count, same.Files.Unchanged.Count);

        // Point 1 over point 5: what b2..b5 added is deleted, what they deleted is created.
        var back = await new RestorePreviewer(_kek).PreviewAsync(
            new RestorePreviewRequest(_store, Prefix, Ids[1], Site, Components, null) { OverwriteExisting = true }, default);
        Assert.Contains("uploads/big/d.bin", back.Files!.Create.Paths);
        Assert.Contains("uploads/big/b.bin", back.Files.Create.Paths);
        Assert.Contains("uploads/big/d2.bin", back.Files.Delete.Paths);
    }

    /// <summary>
    /// Builds the site and the chain with the engine's writer (<see cref="BackupChainWriter"/>: volumes of at most 700 kB,
    /// so the full has three) or, with <paramref name="testWriter"/>, the test writer; returns the site's snapshot at
    /// each point. <paramref name="last"/> (the test writer, to write what the engine never would) writes backup
    /// <paramref name="upTo"/>, the last one.
    /// </summary>
    private async Task<List<SortedDictionary<string, string>>> BuildChainAsync(int upTo = 5, ChainBackup? last = null, bool testWriter = false)
    {
        // Volumes cut by size alone (the random files are not set apart as already compressed), so the tests know
        // which volume of the full backup holds which file.
        var chain = new BackupChainWriter(_store, Prefix, _kek) { Limits = new VolumeLimits(MaxBytes: 700_000, MaxEntries: 1000), StoreCompressedAsIs = false };
        var points = new List<SortedDictionary<string, string>>();
        BuildSite();
        for (var i = 0; i <= upTo; i++)
        {
            if (i > 0)
                Change(i);
            FixFolderTimes();
            points.Add(InPlaceFileRestoreTests.Snapshot(Site));
            if ((i == upTo && last is not null) || testWriter)
            {
                var writer = i == upTo && last is not null ? last : Writer(i);
                await writer.WriteAsync(_store, Prefix, Ids[i], i == 0 ? null : Ids[i - 1], Site, Components, _kek);
            }
            else if (i == 0)
            {
                await chain.FullAsync(Ids[0], Site, Components);
            }
            else
            {
                var (manifest, reason) = await chain.IncrementalAsync(Ids[i], Site, Components);
                Assert.True(manifest.Type == BackupTypes.Incremental, reason);
            }
        }
        return points;
    }

    /// <summary>The test writer: the full in two volumes (the second from uploads/big/c.bin); b4 with a second volume stored without compression.</summary>
    private static ChainBackup Writer(int point) => point switch
    {
        0 => new ChainBackup { VolumeOf = VolumeFrom("uploads/big/c.bin") },
        4 => new ChainBackup
        {
            VolumeOf = VolumeFrom("uploads/thing/inner.txt"),
            OwnCompression = new Dictionary<int, CompressionAlgorithm> { [2] = CompressionAlgorithm.None },
        },
        _ => new ChainBackup(),
    };

    private static Func<int, FileIndexEntry, int> VolumeFrom(string path)
    {
        var volume = 1;
        return (_, entry) =>
        {
            if (entry.Path == path)
                volume = 2;
            return volume;
        };
    }

    private void BuildSite()
    {
        Write("config/settings.php", "<?php $db = 'x';"u8.ToArray(), 0, (UnixFileMode)0b110_100_000);
        Write("themes/t1/style.css", "body{}"u8.ToArray(), 0);
        File.CreateSymbolicLink(Path.Combine(Site, "themes", "link"), "../uploads/a.txt");
        Write("uploads/a.txt", "original a"u8.ToArray(), 0);
        foreach (var name in new[] { "a", "b", "c", "d", "e", "f" })
            Write($"uploads/big/{name}.bin", RandomNumberGenerator.GetBytes(200_000), 0);
        File.SetUnixFileMode(Path.Combine(Site, "uploads", "big"), (UnixFileMode)0b111_101_000);
        Directory.CreateDirectory(Path.Combine(Site, "uploads", "empty"));
        Write("uploads/ünïcødé 日本.txt", "ünïcødé"u8.ToArray(), 0);
        Write("uploads/thing", "a file that becomes a folder"u8.ToArray(), 0);
    }

    /// <summary>What changes before backup <paramref name="point"/>.</summary>
    private void Change(int point)
    {
        switch (point)
        {
            case 1: // a file changed, one added
                Write("uploads/a.txt", "changed a, longer"u8.ToArray(), point);
                Write("uploads/new.txt", "new"u8.ToArray(), point);
                break;
            case 2: // one deleted, one renamed (same bytes and time, another name)
                File.Delete(Path.Combine(Site, "uploads", "big", "b.bin"));
                File.Move(Path.Combine(Site, "uploads", "big", "d.bin"), Path.Combine(Site, "uploads", "big", "d2.bin"));
                break;
            case 3: // a mode changed, nothing else
                File.SetUnixFileMode(Path.Combine(Site, "config", "settings.php"), (UnixFileMode)0b110_000_000);
                break;
            case 4: // a file replaced by a folder (with a file and an empty folder in it)
                File.Delete(Path.Combine(Site, "uploads", "thing"));
                Write("uploads/thing/inner.txt", RandomNumberGenerator.GetBytes(50_000), point);
                Directory.CreateDirectory(Path.Combine(Site, "uploads", "thing", "empty"));
                break;
            case 5: // a file changed in place with the same size, another added at the top of a component
                Write("themes/t1/style.css", "body{x}"u8.ToArray()[..6], point);
                Write("themes/added.css", "p{}"u8.ToArray(), point);
                break;
        }
    }

    private void Write(string relative, byte[] content, int point, UnixFileMode? mode = null)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        if (mode is { } m)
            File.SetUnixFileMode(path, m);
        File.SetLastWriteTimeUtc(path, new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc).AddHours(point));
    }

    /// <summary>Folder times as a backup would find them, fixed so that each point's snapshot is exact.</summary>
    private void FixFolderTimes()
    {
        foreach (var dir in Directory.EnumerateDirectories(Site, "*", SearchOption.AllDirectories).Reverse())
            Directory.SetLastWriteTimeUtc(dir, new DateTime(2022, 5, 6, 7, 8, 9, DateTimeKind.Utc));
    }

    private async Task<BackupManifest> ManifestAsync(string backupId)
    {
        var (unverified, _) = await StoredManifest.ReadAsync(_store, ObjectNames.BackupFolder(Prefix, backupId), default);
        var key = await ManifestKeys.OpenAsync(unverified, _kek, allowUnencrypted: false, default);
        try
        {
            return unverified.Verify(key, backupId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
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
