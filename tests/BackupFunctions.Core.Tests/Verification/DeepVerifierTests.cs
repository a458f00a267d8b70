using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Tests.Verification;

/// <summary>
/// Deep verification of real backups (pg_dump of a database on the test server, a site folder, the writers of the
/// product) in a store: a good one passes with every file and the dump checked; each kind of damage gives a problem
/// line naming the damaged object, and never an exception.
/// </summary>
public sealed class DeepVerifierTests(DeepVerifierFixture cms) : IClassFixture<DeepVerifierFixture>
{
    private readonly LocalKeyFileKek _key = new(cms.KeyFile);

    [Fact]
    public async Task A_good_backup_passes_with_every_file_and_the_dump_checked()
    {
        var backup = await BackUpAsync();

        var result = await VerifyAsync(backup);

        Assert.True(result.Ok, string.Join("\n", result.Problems));
        Assert.Equal(DeepVerifier.Level, result.Level);
        Assert.Empty(result.Problems);
        Assert.Equal(4, result.Objects); // manifest, db.part, files-00001.part, index.bin
        Assert.Equal(backup.Manifest.Objects.Sum(o => o.StoredSize) + backup.ManifestBytes, result.Bytes);
        Assert.Equal(cms.Files.Count, result.Files);
        Assert.Equal(cms.Files.Values.Sum(), result.FilesBytes);
        Assert.Equal("listed by pg_restore --list", result.DumpCheck);
    }

    [Theory]
    [InlineData(ObjectNames.Database)]
    [InlineData(ObjectNames.FirstFilesVolume)]
    [InlineData(ObjectNames.Index)]
    public async Task A_flipped_byte_in_a_part_is_a_problem_naming_that_part(string part)
    {
        var backup = await BackUpAsync();
        var bytes = backup.Store.GetBytes(backup.Folder + part);
        bytes[bytes.Length / 2] ^= 0x10;
        backup.Store.SetBytes(backup.Folder + part, bytes);

        var result = await VerifyAsync(backup);

        Assert.False(result.Ok);
        Assert.StartsWith(part + ": ", result.Problems[0], StringComparison.Ordinal);
        // The other parts are still checked: only the damaged one (and a volume that needs a damaged index) is reported.
        var reported = result.Problems.Select(p => p[..p.IndexOf(':', StringComparison.Ordinal)]).ToList();
        Assert.Equal(part == ObjectNames.Index ? [ObjectNames.Index, ObjectNames.FirstFilesVolume] : [part], reported);
        if (part != ObjectNames.Database)
            Assert.Equal("listed by pg_restore --list", result.DumpCheck);
    }

    [Fact]
    public async Task A_wrong_key_is_a_problem_of_the_manifest_and_nothing_is_read()
    {
        var backup = await BackUpAsync();
        using var other = new TempFolder();
        LocalKeyFileKek.Create(other.Combine("other.key"));

        var result = await new DeepVerifier(new PostgresRestorer(cms.Tools), TimeProvider.System).VerifyAsync(
            backup.Store, backup.Folder, backup.Manifest.BackupId, new LocalKeyFileKek(other.Combine("other.key")), allowUnencrypted: false, default);

        Assert.False(result.Ok);
        var problem = Assert.Single(result.Problems);
        Assert.StartsWith("manifest.json: the data key cannot be unwrapped with this key", problem, StringComparison.Ordinal);
        Assert.Equal(1, result.Objects);
        Assert.Null(result.Files);
    }

    [Fact]
    public async Task The_index_of_another_backup_put_in_place_of_this_one_is_a_problem_of_the_index()
    {
        var backup = await BackUpAsync();
        var other = await BackUpAsync();
        backup.Store.SetBytes(backup.Folder + ObjectNames.Index, other.Store.GetBytes(other.Folder + ObjectNames.Index));

        var result = await VerifyAsync(backup);

        Assert.False(result.Ok);
        Assert.StartsWith("index.bin: ", result.Problems[0], StringComparison.Ordinal);
        Assert.Equal("files-00001.part: not checked: index.bin failed", result.Problems[1]);
    }

    [Fact]
    public async Task An_authentic_index_that_does_not_describe_the_volume_is_a_problem_naming_the_volume_and_the_file()
    {
        // What quick verification cannot see: every object matches the manifest, but the index (written with the key,
        // as a faulty writer would) gives one file a hash its content does not have.
        var backup = await BackUpAsync(tamperIndex: entries => entries
            .Select(e => e.Path == "uploads/2024/f07.txt" ? e with { Sha256 = new string('0', 64) } : e)
            .ToList());

        var quick = await new QuickVerifier(TimeProvider.System).VerifyAsync(backup.Store, backup.Folder, null, default);
        var result = await VerifyAsync(backup);

        Assert.True(quick.Ok, string.Join("\n", quick.Problems));
        Assert.False(result.Ok);
        Assert.Equal("files-00001.part: uploads/2024/f07.txt: SHA-256 does not match the index", Assert.Single(result.Problems));
    }

    [Theory]
    [InlineData("PGDMP-but-not-a-dump", "db.part: pg_restore cannot read the dump")]
    [InlineData("just some text", "db.part: pg_restore cannot read the dump")]
    public async Task A_dump_that_pg_restore_cannot_read_is_a_problem_of_the_database_part(string content, string expected)
    {
        // The part itself is authentic (written with the key and listed in the manifest): only parsing it shows the damage.
        var backup = await BackUpAsync(replaceDump: System.Text.Encoding.ASCII.GetBytes(content + new string('x', 4000)));

        var result = await VerifyAsync(backup);

        Assert.False(result.Ok);
        Assert.StartsWith(expected, Assert.Single(result.Problems), StringComparison.Ordinal);
        Assert.Null(result.DumpCheck);
        Assert.Equal(cms.Files.Count, result.Files);
    }

    [Fact]
    public async Task A_missing_part_and_a_missing_manifest_are_problems_naming_them()
    {
        var backup = await BackUpAsync();
        await backup.Store.DeleteAsync(backup.Folder + ObjectNames.Database, default);

        var missingPart = await VerifyAsync(backup);
        await backup.Store.DeleteAsync(backup.Folder + ObjectNames.Manifest, default);
        var missingManifest = await VerifyAsync(backup);

        Assert.Equal("db.part: missing from memory://test", Assert.Single(missingPart.Problems));
        Assert.Equal("manifest.json: missing from memory://test", Assert.Single(missingManifest.Problems));
    }

    [Fact]
    public async Task Without_a_key_an_encrypted_backup_is_a_problem_and_a_manifest_claiming_no_encryption_is_refused()
    {
        var backup = await BackUpAsync();
        var verifier = new DeepVerifier(new PostgresRestorer(cms.Tools), TimeProvider.System);

        var noKey = await verifier.VerifyAsync(backup.Store, backup.Folder, backup.Manifest.BackupId, null, allowUnencrypted: false, default);

        Assert.StartsWith("manifest.json: ", Assert.Single(noKey.Problems), StringComparison.Ordinal);
        Assert.Contains("the key is needed", noKey.Problems[0], StringComparison.Ordinal);
    }

    private Task<VerificationResult> VerifyAsync(WrittenBackup backup)
        => new DeepVerifier(new PostgresRestorer(cms.Tools), TimeProvider.System)
            .VerifyAsync(backup.Store, backup.Folder, backup.Manifest.BackupId, _key, allowUnencrypted: false, default);

    /// <summary>A full backup of the fixture's CMS, made by the product's writers into a memory store.</summary>
    private async Task<WrittenBackup> BackUpAsync(
        Func<IReadOnlyList<FileIndexEntry>, IReadOnlyList<FileIndexEntry>>? tamperIndex = null, byte[]? replaceDump = null)
    {
        var store = new MemoryBackupStore();
        var backupId = TestEnvironment.UniqueName("b");
        var folder = ObjectNames.BackupFolder("site", backupId);
        var settings = new PartSettings();
        var dataKey = DataKeys.Generate();
        var envelope = await _key.WrapAsync(dataKey, default);
        var started = DateTimeOffset.UtcNow;

        var database = await new BackupWriter(new PostgresDumper(cms.Tools)).WriteDatabaseAsync(
            store, folder, backupId, settings, dataKey, cms.Database.Connection, default);
        if (replaceDump is not null)
        {
            var part = await PartWriter.WriteAsync(store, folder + ObjectNames.Database, backupId, ObjectNames.Database, "database", settings, dataKey,
                (plaintext, ct) => plaintext.WriteAsync(replaceDump, ct).AsTask(), default);
            database = database with { Part = part };
        }

        var files = await BackupWriter.WriteFilesAsync(
            store, folder, backupId, settings, dataKey, new FilesSource { Root = cms.SiteRoot }, null, default);
        if (tamperIndex is not null)
        {
            var draftManifest = new BackupManifest
            {
                BackupId = backupId, ConfigId = "c", CreatedAt = started, CompletedAt = started, Compression = "zstd", CompressionLevel = 3,
                Encryption = "aes-256-gcm", ChunkSize = settings.ChunkSize, Key = envelope, Objects = [files.Index],
                Statistics = new BackupStatistics(), Tool = "test",
            };
            IReadOnlyList<FileIndexEntry> entries;
            await using (var index = await PartReader.OpenAsync(store, folder + ObjectNames.Index, backupId, files.Index, draftManifest, dataKey, default))
                entries = await FileIndex.ReadAsync(index, default);
            var changed = tamperIndex(entries);
            var indexPart = await PartWriter.WriteAsync(store, folder + ObjectNames.Index, backupId, ObjectNames.Index, "index", settings, dataKey,
                (plaintext, ct) => FileIndex.WriteAsync(changed, plaintext, ct), default);
            files = files with { Index = indexPart };
        }

        var (manifest, written) = await BackupWriter.WriteManifestAsync(store, folder,
            new ManifestDraft(backupId, "c", started, DateTimeOffset.UtcNow, settings, envelope, database, files), dataKey, default);
        return new WrittenBackup(store, folder, manifest, written.Size);
    }

    private sealed record WrittenBackup(MemoryBackupStore Store, string Folder, BackupManifest Manifest, long ManifestBytes);
}
