using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Sources;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// The promise that every version reads format v1: the frozen backups of tests/fixtures/format-v1 (written by the
/// code of the day v1 was frozen; see its README) are listed, deep-verified and restored byte-exact by the engine,
/// from a file:// destination copied to a temporary folder. Every compression, both AEADs and none, every type.
/// A failure here is a reader regression, never a reason to regenerate the fixtures.
/// </summary>
public sealed class FormatV1FixtureTests : IDisposable
{
    private readonly TempFolder _folder = new("bf-v1-");
    private readonly LocalFolderStore _store;
    private readonly string _keyFile;
    private readonly PostgresToolsOptions _tools = new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    public FormatV1FixtureTests()
    {
        FormatV1Fixtures.CopyDestination(_folder.Combine("destination"));
        _store = new LocalFolderStore(_folder.Combine("destination"));
        _keyFile = FormatV1Fixtures.CopyKeyFile(_folder.Path);
    }

    public static TheoryData<string> BackupIds => FormatV1Fixtures.BackupIds;

    /// <summary>The matrix the fixtures promise to cover; if a row went missing the fixture test would prove less.</summary>
    [Fact]
    public void The_fixtures_cover_every_compression_and_encryption_and_type()
    {
        var backups = FormatV1Fixtures.Backups;
        Assert.Equal(["brotli", "bzip2", "gzip", "lzma", "none", "zstd"], backups.Select(b => b.Compression).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["aes256", "chacha20", "none"], backups.Select(b => b.Encryption).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(["database", "files", "full"], backups.Select(b => b.Type).Distinct().Order(StringComparer.Ordinal));
        var site = FormatV1Fixtures.Site;
        Assert.Contains(site, e => e.Type == 'f' && e.Size == 0);
        Assert.Contains(site, e => e.Type == 'l');
        Assert.Contains(site, e => e.Type == 'd' && !site.Any(c => c.Path.StartsWith(e.Path + "/", StringComparison.Ordinal)));
        Assert.Contains(site, e => e.Path.EndsWith("caf\u00e9.txt", StringComparison.Ordinal));
        Assert.Contains(site, e => e.Path.EndsWith("cafe\u0301.txt", StringComparison.Ordinal));
        Assert.Contains(site, e => e.Path.Contains("\U0001F4F7", StringComparison.Ordinal));
        Assert.Contains(site, e => e.Mode == (UnixFileMode)Convert.ToInt32("751", 8));
        Assert.Equal(3, FormatV1Fixtures.DatabaseContent.Count);
    }

    [Fact]
    public async Task The_destination_lists_every_fixture_backup_as_written()
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var info in _store.ListAsync("backups/", CancellationToken.None))
            folders.Add(info.Name.Split('/')[1]);
        Assert.Equal(FormatV1Fixtures.Backups.Select(b => b.BackupId).Order(StringComparer.Ordinal), folders);

        foreach (var backup in FormatV1Fixtures.Backups)
        {
            var (unverified, _) = await StoredManifest.ReadAsync(_store, Folder(backup), CancellationToken.None);
            var manifest = unverified.Manifest;
            var context = $"{FormatV1Fixtures.Regression}\n{backup}";
            Assert.True(manifest.FormatVersion == 1, context);
            Assert.True(manifest.BackupId == backup.BackupId, context);
            Assert.True(manifest.Compression == backup.Compression, context);
            Assert.True(manifest.CompressionLevel == backup.Level, context);
            Assert.True(manifest.Encryption == backup.Encryption switch { "aes256" => "aes-256-gcm", "chacha20" => "chacha20-poly1305", _ => "none" }, context);
            Assert.True(unverified.IsAuthenticated == backup.Encrypted, context);
            string[] parts = [.. backup.HasDatabase ? [ObjectNames.Database] : Array.Empty<string>(),
                              .. backup.HasFiles ? [ObjectNames.FirstFilesVolume, ObjectNames.Index] : Array.Empty<string>()];
            Assert.True(parts.Order(StringComparer.Ordinal).SequenceEqual(manifest.Objects.Select(o => o.Name).Order(StringComparer.Ordinal)), context);
        }
    }

    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task The_index_lists_the_site_as_recorded(string backupId)
    {
        var backup = FormatV1Fixtures.Backup(backupId);
        if (!backup.HasFiles)
            return;
        var (unverified, _) = await StoredManifest.ReadAsync(_store, Folder(backup), CancellationToken.None);
        var dataKey = await ManifestKeys.OpenAsync(unverified, backup.Encrypted ? new LocalKeyFileKek(_keyFile) : null, allowUnencrypted: !backup.Encrypted, CancellationToken.None);
        var manifest = backup.Encrypted ? unverified.Verify(dataKey, backupId) : unverified.Manifest;
        var part = manifest.Objects.Single(o => o.Name == ObjectNames.Index);
        IReadOnlyList<FileIndexEntry> entries;
        await using (var index = await PartReader.OpenAsync(_store, Folder(backup) + part.Name, backupId, part, manifest, dataKey, CancellationToken.None))
            entries = await FileIndex.ReadAsync(index, CancellationToken.None);

        var expected = FormatV1Fixtures.Site.Where(e => backup.Holds(e.Path)).Select(e => new FileIndexEntry(
            e.Path,
            e.Type switch { 'f' => FileIndexEntry.FileType, 'd' => FileIndexEntry.DirectoryType, _ => FileIndexEntry.SymbolicLinkType },
            e.Size, e.ModifiedAt, e.Type == 'l' ? 0 : (int)e.Mode, e.Sha256, ObjectNames.FirstFilesVolume) { LinkTarget = e.LinkTarget });
        var differences = expected.Select(e => e.ToString()).Except(entries.Select(Normalized).Select(e => e.ToString()), StringComparer.Ordinal)
            .Select(e => "expected, not in the index: " + e)
            .Concat(entries.Select(Normalized).Select(e => e.ToString()).Except(expected.Select(e => e.ToString()), StringComparer.Ordinal)
                .Select(e => "in the index, not expected: " + e))
            .ToList();
        Assert.True(differences.Count == 0, $"{FormatV1Fixtures.Regression}\nThe index of {backup} differs from site.tsv:\n  " + string.Join("\n  ", differences));

        // A link's own mode is whatever the platform reports (0777 on Linux); site.tsv does not record it.
        static FileIndexEntry Normalized(FileIndexEntry entry) => entry.Type == FileIndexEntry.SymbolicLinkType ? entry with { Mode = 0 } : entry;
    }

    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task Deep_verification_passes(string backupId)
    {
        var backup = FormatV1Fixtures.Backup(backupId);

        var result = await VerifyAsync(backup);

        Assert.True(result.Ok, $"{FormatV1Fixtures.Regression}\nDeep verification of {backup} failed:\n  " + string.Join("\n  ", result.Problems));
        Assert.Equal(DeepVerifier.Level, result.Level);
        if (backup.HasFiles)
        {
            var held = FormatV1Fixtures.Site.Where(e => backup.Holds(e.Path)).ToList();
            Assert.Equal(held.Count(e => e.Type is 'f' or 'l'), result.Files);
            Assert.Equal(held.Where(e => e.Type == 'f').Sum(e => e.Size), result.FilesBytes);
        }
        Assert.Equal(backup.HasDatabase ? "listed by pg_restore --list" : null, result.DumpCheck);
    }

    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task A_restore_gives_back_the_site_and_the_database_exactly(string backupId)
    {
        var backup = FormatV1Fixtures.Backup(backupId);
        var target = _folder.Combine("restored");
        await using var database = ScratchDatabase.Reserve("bfv1");
        var runner = new RestoreRunner(
            backup.Encrypted ? new LocalKeyFileKek(_keyFile) : null, new PostgresRestorer(_tools), new PostgresDumper(_tools), NullLogger<RestoreRunner>.Instance);

        var result = await runner.RestoreAsync(
            new RestoreRequest(_store, "", backupId, backup.HasFiles ? target : null, backup.HasDatabase ? database.Connection : null)
            {
                AllowUnencrypted = !backup.Encrypted,
            },
            CancellationToken.None);

        Assert.Equal(backup.HasDatabase, result.DatabaseRestored);
        if (backup.HasFiles)
            FormatV1Fixtures.AssertRestoredSite(backup, target);
        if (backup.HasDatabase)
            await FormatV1Fixtures.AssertRestoredDatabaseAsync(backup, database.Name);
    }

    /// <summary>Keeps the tests above from being vacuous: the same reader refuses a fixture with one byte changed.</summary>
    [Theory]
    [MemberData(nameof(BackupIds))]
    public async Task One_changed_byte_in_any_part_fails_verification_and_restore(string backupId)
    {
        var backup = FormatV1Fixtures.Backup(backupId);
        var (unverified, _) = await StoredManifest.ReadAsync(_store, Folder(backup), CancellationToken.None);
        foreach (var part in unverified.Manifest.Objects.Select(o => o.Name))
        {
            var path = _folder.Combine("destination", Folder(backup) + part);
            var original = await File.ReadAllBytesAsync(path);
            var changed = (byte[])original.Clone();
            changed[changed.Length / 2] ^= 0x01;
            await File.WriteAllBytesAsync(path, changed);
            try
            {
                var result = await VerifyAsync(backup);
                Assert.False(result.Ok, $"{backup}: {part} with one bit flipped passed deep verification");
                Assert.StartsWith(part + ": ", result.Problems[0], StringComparison.Ordinal);

                var target = _folder.Combine("restored-" + part);
                await using var database = ScratchDatabase.Reserve("bfv1bad");
                var runner = new RestoreRunner(
                    backup.Encrypted ? new LocalKeyFileKek(_keyFile) : null, new PostgresRestorer(_tools), new PostgresDumper(_tools), NullLogger<RestoreRunner>.Instance);
                var failure = await Assert.ThrowsAsync<IntegrityException>(() => runner.RestoreAsync(
                    new RestoreRequest(_store, "", backupId, backup.HasFiles ? target : null, backup.HasDatabase ? database.Connection : null) { AllowUnencrypted = !backup.Encrypted },
                    CancellationToken.None));
                // Without encryption a damaged index can first show as an entry that differs from the volume (the
                // index's own SHA-256 is compared at its end): the restore still fails before anything is written.
                if (backup.Encrypted || part != ObjectNames.Index)
                    Assert.Contains(part, failure.Message, StringComparison.Ordinal);
                Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any(), $"{backup}: a restore wrote files from a damaged {part}");
                Assert.False(await new PostgresRestorer(_tools).DatabaseExistsAsync(database.Connection, CancellationToken.None), $"{backup}: a restore created the database from a damaged {part}");
            }
            finally
            {
                await File.WriteAllBytesAsync(path, original);
            }
        }
    }

    public void Dispose() => _folder.Dispose();

    private Task<VerificationResult> VerifyAsync(FormatV1FixtureBackup backup) =>
        new DeepVerifier(new PostgresRestorer(_tools), TimeProvider.System).VerifyAsync(
            _store, Folder(backup), backup.BackupId, backup.Encrypted ? new LocalKeyFileKek(_keyFile) : null, allowUnencrypted: !backup.Encrypted, CancellationToken.None);

    private static string Folder(FormatV1FixtureBackup backup) => ObjectNames.BackupFolder("", backup.BackupId);
}
