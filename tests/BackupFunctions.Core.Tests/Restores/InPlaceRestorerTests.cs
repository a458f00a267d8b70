using System.Collections.Concurrent;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Sources;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// The in-place restore steps end to end: a real site and a real database (the PostgreSQL test server) are backed up by
/// the engine's writers into a local folder destination, changed, and restored through <see cref="InPlaceRestorer"/>;
/// outcomes are whole-tree snapshots (names, kinds, bytes, modes, times, link targets) and normalized pg_dumps.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InPlaceRestorerTests : IDisposable
{
    private const string Prefix = "site1";
    private const string BackupId = "b-inplace-1";
    private static readonly DateTime OldTime = new(2022, 5, 6, 7, 8, 9, 100, DateTimeKind.Utc);
    private static readonly string[] Components = ["config", "themes", "uploads"];

    private const string Schema = """
        CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL);
        INSERT INTO posts (title) SELECT 'post ' || i FROM generate_series(1, 50) i;
        CREATE TABLE comments (id serial PRIMARY KEY, post_id int NOT NULL REFERENCES posts(id), text text);
        INSERT INTO comments (post_id, text) SELECT 1 + i % 10, 'comment ' || i FROM generate_series(1, 30) i;
        CREATE SCHEMA shop;
        CREATE TABLE shop.orders (id int PRIMARY KEY, amount numeric(10,2));
        INSERT INTO shop.orders SELECT i, i * 1.5 FROM generate_series(1, 20) i;
        CREATE TABLE shop.gone (id int);
        INSERT INTO shop.gone VALUES (1), (2);
        """;

    /// <summary>Rows inserted, updated and deleted, a table dropped and one created (posts 20-50 have no comments).</summary>
    private const string DatabaseChanges = """
        UPDATE posts SET title = 'changed' WHERE id < 5;
        DELETE FROM posts WHERE id = 20;
        INSERT INTO posts (title) VALUES ('added after the backup');
        INSERT INTO comments (post_id, text) VALUES (1, 'new comment');
        DELETE FROM shop.orders WHERE id > 15;
        DROP TABLE shop.gone;
        CREATE TABLE added (id int);
        INSERT INTO added VALUES (1);
        """;

    private readonly TempFolder _temp = new();
    private readonly LocalKeyFileKek _kek;
    private readonly LocalFolderStore _store;

    public InPlaceRestorerTests()
    {
        var keyFile = _temp.Combine("kek.key");
        LocalKeyFileKek.Create(keyFile);
        _kek = new LocalKeyFileKek(keyFile);
        _store = new LocalFolderStore(_temp.Combine("store"));
    }

    public void Dispose()
    {
        foreach (var dir in Directory.EnumerateDirectories(_temp.Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (new DirectoryInfo(dir).LinkTarget is null)
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_000_000);
        }
        _temp.Dispose();
    }

    private static PostgresToolsOptions Tools => new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    private string Site => _temp.Combine("site");

    private InPlaceRestorer Restorer => new(_kek, Tools, NullLogger<InPlaceRestorer>.Instance);

    private string PartFile(string part) => Path.Combine(_temp.Combine("store"), Prefix, "backups", BackupId, part);

    [Fact]
    public async Task A_changed_site_and_database_are_restored_in_place_exactly_as_backed_up()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfipr");
        await db.ExecuteAsync(Schema);
        BuildSite(bigFileBytes: 9 * 1024 * 1024);
        var filesAtBackup = Snapshot(Site);
        var dbAtBackup = await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection);
        await BackUpAsync(Site, db.Connection);
        ChangeSite();
        await db.ExecuteAsync(DatabaseChanges);
        Assert.NotEqual(filesAtBackup, Snapshot(Site));
        Assert.NotEqual(dbAtBackup, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection));

        var target = Target("job-full", Site, db.Connection);
        var proof = await Restorer.ProveAsync(target, default);
        var progress = new Collected<long>();
        var extracted = new Collected<ArchiveProgress>();
        var staged = await Restorer.StageFilesAsync(target, progress, extracted, default);
        Restorer.SwapFiles(target);
        var tables = await Restorer.RestoreDatabaseAsync(target, default);
        var checkedFiles = new Collected<ArchiveProgress>();
        var verified = await Restorer.VerifyFilesAsync(target, checkedFiles, default);
        var done = Restorer.Complete(target);

        Assert.Equal(filesAtBackup, Snapshot(Site));
        Assert.Equal(dbAtBackup, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));

        var manifest = await ManifestAsync();
        Assert.True(proof.Files);
        Assert.True(proof.Database);
        Assert.Equal(manifest.Objects.Sum(o => o.StoredSize), proof.StoredBytes);
        Assert.Equal(manifest.Statistics.Files, proof.FileCount);
        Assert.Equal(manifest.Database!.Tables, proof.Tables);
        Assert.Equal(manifest.Database.Tables, tables);
        Assert.Equal(Components, staged!.Components);
        // old.jpg (deleted after the backup) is created; new.txt and extra/x.txt (added after it) are deleted.
        Assert.Equal(1, staged.Created);
        Assert.Equal(2, staged.Deleted);
        Assert.Equal(staged.Created + staged.Overwritten, verified!.Verified);
        Assert.Equal(staged.Created, done!.Created);
        // Stored bytes of the index and the volumes (photo.jpg is in one of its own, stored as it is), reported every
        // few MiB and at the end, never per read.
        var filesStored = manifest.Objects.Where(o => o.Name == ObjectNames.Index || o.Kind == ManifestVolumes.FilesKind).Sum(o => o.StoredSize);
        Assert.Equal(filesStored, progress.Values.Max());
        Assert.InRange(progress.Values.Count, 3, 10);
        // Files and links with their bytes, after every entry: staging up to what it wrote (a full restore: every file
        // of the manifest), verification once per file it checked, up to the same.
        Assert.Equal(manifest.Statistics.FilesBytes, proof.FileBytes);
        Assert.Equal(proof.FileCount, staged.Created + staged.Overwritten);
        Assert.Equal(new ArchiveProgress(proof.FileCount, proof.FileBytes), extracted.Values.Last());
        Assert.Equal(extracted.Values.OrderBy(p => p.Files).ThenBy(p => p.Bytes), extracted.Values);
        Assert.Equal(new ArchiveProgress(verified.Verified, proof.FileBytes), checkedFiles.Values.Last());
        Assert.Equal(Enumerable.Range(1, (int)verified.Verified).Select(n => (long)n), checkedFiles.Values.Select(p => p.Files));

        // Every step is idempotent: after completion, completing again and rolling back change nothing.
        Assert.Null(Restorer.Complete(target));
        Restorer.RollbackFiles(target);
        Assert.Equal(filesAtBackup, Snapshot(Site));
    }

    [Fact]
    public async Task A_rollback_after_the_swap_puts_the_live_folders_back_byte_identical()
    {
        BuildSite();
        await BackUpAsync(Site, null);
        ChangeSite();
        var before = Snapshot(Site);

        var target = Target("job-rollback", Site, null);
        await Restorer.ProveAsync(target, default);
        await Restorer.StageFilesAsync(target, null, null, default);
        Restorer.SwapFiles(target);
        Assert.NotEqual(before, Snapshot(Site, skipRestoreFolders: true));
        Restorer.RollbackFiles(target);

        Assert.Equal(before, Snapshot(Site));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
        // A retried rollback is harmless.
        Restorer.RollbackFiles(target);
        Assert.Equal(before, Snapshot(Site));
    }

    [Fact]
    public async Task A_database_restore_blocked_by_a_held_lock_commits_nothing_and_the_files_roll_back()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfipr");
        await db.ExecuteAsync(Schema);
        BuildSite();
        await BackUpAsync(Site, db.Connection);
        ChangeSite();
        await db.ExecuteAsync(DatabaseChanges);
        var filesBefore = Snapshot(Site);
        var dbBefore = await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection);

        var target = Target("job-lock", Site, db.Connection) with { LockTimeout = TimeSpan.FromSeconds(2) };
        await Restorer.ProveAsync(target, default);
        await Restorer.StageFilesAsync(target, null, null, default);
        Restorer.SwapFiles(target);
        await using (var holder = await ScratchDatabase.OpenAsync(db.Name))
        {
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN ACCESS SHARE MODE", holder, transaction))
                await lockPosts.ExecuteNonQueryAsync();

            var error = await Assert.ThrowsAsync<PostgresToolException>(() => Restorer.RestoreDatabaseAsync(target, default));
            Assert.Contains("lock timeout", error.Message, StringComparison.Ordinal);
        }
        Restorer.RollbackFiles(target);

        Assert.Equal(dbBefore, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection));
        Assert.Equal(filesBefore, Snapshot(Site));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
    }

    [Fact]
    public async Task A_tampered_database_part_fails_the_proof_before_anything_live_changes()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfipr");
        await db.ExecuteAsync(Schema);
        BuildSite();
        await BackUpAsync(Site, db.Connection);
        ChangeSite();
        await db.ExecuteAsync(DatabaseChanges);
        var filesBefore = Snapshot(Site);
        var dbBefore = await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection);
        FlipByte(PartFile(ObjectNames.Database));

        var error = await Assert.ThrowsAsync<IntegrityException>(() => Restorer.ProveAsync(Target("job-bad-db", Site, db.Connection), default));

        Assert.Contains(ObjectNames.Database, error.Message, StringComparison.Ordinal);
        Assert.Equal(filesBefore, Snapshot(Site));
        Assert.Equal(dbBefore, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection));
    }

    [Fact]
    public async Task A_tampered_files_volume_fails_staging_and_leaves_the_live_site_and_no_staging()
    {
        BuildSite(bigFileBytes: 3 * 1024 * 1024);
        await BackUpAsync(Site, null);
        ChangeSite();
        var before = Snapshot(Site);
        FlipByte(PartFile(ObjectNames.FirstFilesVolume));
        var target = Target("job-bad-files", Site, null);

        // The proof reads only the manifest and the parts' sizes for files: the volume is proven while it is staged.
        await Restorer.ProveAsync(target, default);
        var error = await Assert.ThrowsAsync<IntegrityException>(() => Restorer.StageFilesAsync(target, null, null, default));

        Assert.Contains(ObjectNames.FirstFilesVolume, error.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(Site));
        Assert.Empty(InPlaceFileRestore.FindLeftovers(Site));
        // Nothing was staged, so there is nothing to swap.
        Assert.Throws<InvalidOperationException>(() => Restorer.SwapFiles(target));
        Assert.Equal(before, Snapshot(Site));
    }

    [Fact]
    public async Task A_selective_restore_of_one_glob_and_one_table_touches_nothing_else()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfipr");
        await db.ExecuteAsync(Schema);
        BuildSite();
        var filesAtBackup = Snapshot(Site);
        var postsAtBackup = await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection, "--table=public.posts");
        await BackUpAsync(Site, db.Connection);
        ChangeSite();
        await db.ExecuteAsync(DatabaseChanges);
        string[] others = ["--exclude-table=public.posts", "--exclude-table=public.posts_id_seq"];
        var othersBefore = await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection, others);
        var filesBefore = Snapshot(Site);

        var target = Target("job-selective", Site, db.Connection) with { Items = ["uploads/2024", "table:public.posts"] };
        var proof = await Restorer.ProveAsync(target, default);
        var staged = await Restorer.StageFilesAsync(target, null, null, default);
        Restorer.SwapFiles(target);
        var tables = await Restorer.RestoreDatabaseAsync(target, default);
        await Restorer.VerifyFilesAsync(target, null, default);
        Restorer.Complete(target);

        // Files: uploads/2024 as in the backup, everything else as it was before the restore.
        var expected = new SortedDictionary<string, string>(filesBefore.Where(e => !InFolder(e.Key, "uploads/2024")).ToDictionary(), StringComparer.Ordinal);
        foreach (var entry in filesAtBackup.Where(e => InFolder(e.Key, "uploads/2024")))
            expected[entry.Key] = entry.Value;
        Assert.Equal(expected, Snapshot(Site));
        Assert.Equal(["uploads"], staged!.Components);
        Assert.Equal(0, staged.Deleted);

        // Database: posts as in the backup, every other table as it was before the restore.
        Assert.Equal(postsAtBackup, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection, "--table=public.posts"));
        Assert.Equal(othersBefore, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection, others));
        Assert.Equal([new TableRowCount("public.posts", 50)], proof.Tables);
        Assert.Equal([new TableRowCount("public.posts", 50)], tables);
    }

    [Fact]
    public async Task A_restore_elsewhere_creates_the_new_database_and_fills_the_new_folder()
    {
        await using var source = await ScratchDatabase.CreateAsync("bfipr");
        await source.ExecuteAsync(Schema);
        BuildSite();
        var filesAtBackup = Snapshot(Site);
        var dbAtBackup = await PostgresInPlaceRestoreTests.NormalizedDumpAsync(source.Connection);
        await BackUpAsync(Site, source.Connection);
        await using var elsewhere = ScratchDatabase.Reserve("bfipre");
        var folder = _temp.Combine("elsewhere", "site");

        var target = Target("job-elsewhere", folder, elsewhere.Connection);
        var proof = await Restorer.ProveAsync(target, default);
        await Restorer.StageFilesAsync(target, null, null, default);
        Restorer.SwapFiles(target);
        var tables = await Restorer.RestoreDatabaseAsync(target, default);
        await Restorer.VerifyFilesAsync(target, null, default);
        Restorer.Complete(target);

        Assert.True(proof.Database);
        Assert.Equal(filesAtBackup, Snapshot(folder));
        Assert.Equal(dbAtBackup, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(elsewhere.Connection));
        Assert.Equal(proof.Tables, tables);
        // The source was not touched.
        Assert.Equal(dbAtBackup, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(source.Connection));
    }

    [Fact]
    public async Task Targets_that_do_not_fit_the_backup_are_refused_naming_the_field_and_nothing_changes()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfipr");
        await db.ExecuteAsync(Schema);
        await BackUpAsync(null, db.Connection);
        await db.ExecuteAsync(DatabaseChanges);
        var dbBefore = await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection);
        Directory.CreateDirectory(Site);

        var keep = await Assert.ThrowsAsync<ArgumentException>(
            () => Restorer.ProveAsync(Target("job-g", null, db.Connection) with { OverwriteExisting = false }, default));
        Assert.StartsWith("overwriteExisting:", keep.Message, StringComparison.Ordinal);
        // The refusal holds in the step that would change the database too (and it changed nothing).
        Assert.Equal(dbBefore, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection));

        var missingTable = await Assert.ThrowsAsync<ArgumentException>(
            () => Restorer.ProveAsync(Target("job-g", null, db.Connection) with { Items = ["table:public.added"] }, default));
        Assert.StartsWith("selectiveItems:", missingTable.Message, StringComparison.Ordinal);
        var badItem = await Assert.ThrowsAsync<ArgumentException>(
            () => Restorer.ProveAsync(Target("job-g", Site, db.Connection) with { Items = ["../etc/passwd"] }, default));
        Assert.StartsWith("selectiveItems:", badItem.Message, StringComparison.Ordinal);
        var nothing = await Assert.ThrowsAsync<ArgumentException>(
            () => Restorer.ProveAsync(Target("job-g", null, db.Connection) with { Items = ["uploads/**"] }, default));
        Assert.StartsWith("selectiveItems:", nothing.Message, StringComparison.Ordinal);
        var noFiles = await Assert.ThrowsAsync<ArgumentException>(() => Restorer.ProveAsync(Target("job-g", Site, db.Connection), default));
        Assert.StartsWith("restoreFiles:", noFiles.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => Restorer.StageFilesAsync(Target("job-g", Site, null), null, null, default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Site));
        Assert.Equal(dbBefore, await PostgresInPlaceRestoreTests.NormalizedDumpAsync(db.Connection));

        // An empty database may be restored into without overwrite.
        await using var empty = await ScratchDatabase.CreateAsync("bfipre");
        var proof = await Restorer.ProveAsync(Target("job-g", null, empty.Connection) with { OverwriteExisting = false }, default);
        Assert.True(proof.Database);
    }

    [Fact]
    public async Task Restored_row_counts_that_differ_from_the_manifest_fail_the_database_step()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfipr");
        await db.ExecuteAsync(Schema);
        await BackUpAsync(null, db.Connection, recorded: source => source with
        {
            Tables = [.. source.Tables.Select(t => t.Table == "public.posts" ? t with { Rows = t.Rows - 1 } : t)],
        });
        var target = Target("job-rows", null, db.Connection);
        await Restorer.ProveAsync(target, default);

        var error = await Assert.ThrowsAsync<IntegrityException>(() => Restorer.RestoreDatabaseAsync(target, default));

        Assert.Equal(ObjectNames.Database, error.ObjectName);
        Assert.Contains("public.posts has 50 rows after the restore, the backup recorded 49", error.Message, StringComparison.Ordinal);
        // A selective restore of another table compares only that table.
        var others = await Restorer.RestoreDatabaseAsync(target with { Items = ["table:shop.orders"] }, default);
        Assert.Equal([new TableRowCount("shop.orders", 20)], others);
    }

    [Fact]
    public async Task The_engine_composition_gives_a_restorer_with_the_configured_key()
    {
        BuildSite();
        await BackUpAsync(Site, null);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Catalog:ConnectionString"] = TestEnvironment.AzuriteConnectionString,
            ["Keys:LocalKeyFile"] = _temp.Combine("kek.key"),
            ["Postgres:SslRootCertFile"] = TestEnvironment.PostgresRootCert,
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddBackupEngine(configuration);
        await using var provider = services.BuildServiceProvider();

        var restorer = provider.GetRequiredService<InPlaceRestorer>();

        Assert.Same(restorer, provider.GetRequiredService<InPlaceRestorer>());
        var proof = await restorer.ProveAsync(Target("job-di", Site, null), default);
        Assert.True(proof.Files);
        Assert.Equal((await ManifestAsync()).Statistics.Files, proof.FileCount);
    }

    [Fact]
    public async Task A_backup_without_a_database_refuses_a_database_target()
    {
        await using var db = await ScratchDatabase.CreateAsync("bfipr");
        BuildSite();
        await BackUpAsync(Site, null);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Restorer.ProveAsync(Target("job-nodb", Site, db.Connection), default));
        Assert.StartsWith("restoreDatabase:", error.Message, StringComparison.Ordinal);
        Assert.True(await new PostgresInPlaceRestorer(Tools).IsEmptyAsync(db.Connection, default));
    }

    private static bool InFolder(string path, string folder) => path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private InPlaceRestoreTarget Target(string jobId, string? siteRoot, PostgresConnectionInfo? database) =>
        new(jobId, _store, Prefix, BackupId, siteRoot, database);

    private async Task<BackupManifest> ManifestAsync()
    {
        var folder = ObjectNames.BackupFolder(Prefix, BackupId);
        var (unverified, _) = await StoredManifest.ReadAsync(_store, folder, default);
        var key = await ManifestKeys.OpenAsync(unverified, _kek, allowUnencrypted: false, default);
        return unverified.Verify(key, BackupId);
    }

    /// <summary>A real encrypted backup written by the engine's writers, as the service writes it.</summary>
    /// <param name="recorded">Changes what the manifest records about the dump (a manifest that disagrees with its dump).</param>
    private async Task BackUpAsync(string? siteRoot, PostgresConnectionInfo? database, Func<DatabaseSourceInfo, DatabaseSourceInfo>? recorded = null)
    {
        var folder = ObjectNames.BackupFolder(Prefix, BackupId);
        var key = RandomNumberGenerator.GetBytes(32);
        var settings = new PartSettings();
        FilesPartResult? files = null;
        if (siteRoot is not null)
            files = await BackupWriter.WriteFilesAsync(_store, folder, BackupId, settings, key, new FilesSource { Root = siteRoot, Components = Components }, null, default);
        DatabasePartResult? dump = null;
        if (database is not null)
            dump = await new BackupWriter(new PostgresDumper(Tools)).WriteDatabaseAsync(_store, folder, BackupId, settings, key, database, default);
        if (dump is not null && recorded is not null)
            dump = dump with { Source = recorded(dump.Source) };
        var envelope = await _kek.WrapAsync(key, default);
        var createdAt = new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
        await BackupWriter.WriteManifestAsync(_store, folder, new ManifestDraft(BackupId, "cfg", createdAt, createdAt.AddMinutes(1), settings, envelope, dump, files), key, default);
    }

    private void BuildSite(int bigFileBytes = 0)
    {
        Write("uploads/a.txt", "original a"u8.ToArray());
        Write("uploads/2024/photo.jpg", RandomNumberGenerator.GetBytes(200_000));
        Write("uploads/2024/old.jpg", "old"u8.ToArray());
        if (bigFileBytes > 0)
            Write("uploads/big.bin", RandomNumberGenerator.GetBytes(bigFileBytes));
        Write("themes/t1/style.css", "body{}"u8.ToArray());
        Write("config/settings.php", "<?php"u8.ToArray());
        File.SetUnixFileMode(Path.Combine(Site, "config/settings.php"), (UnixFileMode)0b110_100_000);
        Directory.CreateDirectory(Path.Combine(Site, "uploads/empty"));
        File.CreateSymbolicLink(Path.Combine(Site, "themes/t1/current"), "style.css");
        foreach (var path in Directory.EnumerateFileSystemEntries(Site, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (new FileInfo(path).LinkTarget is null)
                File.SetLastWriteTimeUtc(path, OldTime);
        }
    }

    /// <summary>Files edited, added and deleted (also below uploads/2024), an empty folder removed, a mode changed, a link retargeted.</summary>
    private void ChangeSite()
    {
        Write("uploads/a.txt", "edited a"u8.ToArray());
        Write("uploads/new.txt", "added"u8.ToArray());
        Write("uploads/extra/x.txt", "added below a new folder"u8.ToArray());
        Write("uploads/2024/photo.jpg", RandomNumberGenerator.GetBytes(1000));
        File.Delete(Path.Combine(Site, "uploads/2024/old.jpg"));
        Directory.Delete(Path.Combine(Site, "uploads/empty"));
        Write("themes/t1/style.css", "body{color:red}"u8.ToArray());
        File.SetUnixFileMode(Path.Combine(Site, "config/settings.php"), (UnixFileMode)0b110_000_000);
        File.Delete(Path.Combine(Site, "themes/t1/current"));
        File.CreateSymbolicLink(Path.Combine(Site, "themes/t1/current"), "/etc/passwd");
    }

    private void Write(string relative, byte[] content)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    private static SortedDictionary<string, string> Snapshot(string root, bool skipRestoreFolders = false) =>
        InPlaceFileRestoreTests.Snapshot(root, skipRestoreFolders);

    /// <summary>Flips one byte in the middle of a stored part (its size stays, so only the content checks can notice).</summary>
    private static void FlipByte(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite);
        var at = stream.Length / 2;
        stream.Position = at;
        var value = stream.ReadByte();
        stream.Position = at;
        stream.WriteByte((byte)(value ^ 0x5A));
    }

    /// <summary>Progress reports as they come, on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Collected<T> : IProgress<T>
    {
        private readonly ConcurrentQueue<T> _values = new();

        public IReadOnlyCollection<T> Values => _values;

        public void Report(T value) => _values.Enqueue(value);
    }
}
