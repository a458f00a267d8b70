using System.Text;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Sources;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// Previews of a real backup against a real site (and the real PostgreSQL test server) changed after the backup: the
/// preview must list exactly those changes, and read nothing of the backup but its manifest and file index.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RestorePreviewerTests : IDisposable
{
    private static readonly DateTimeOffset Before = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset After = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Components = ["themes", "uploads"];

    private readonly TempFolder _site = new();
    private readonly PreviewBackupFixture _backup = new();

    public void Dispose()
    {
        _site.Dispose();
        _backup.Dispose();
    }

    [Fact]
    public async Task A_site_and_database_changed_after_the_backup_preview_exactly_those_changes_reading_no_volume()
    {
        await using var database = await ScratchDatabase.CreateAsync("bfprev");
        await database.ExecuteAsync("""
            CREATE SCHEMA shop;
            CREATE TABLE shop.items (id int PRIMARY KEY);
            INSERT INTO shop.items SELECT generate_series(1, 10);
            CREATE TABLE shop.keep (id int);
            INSERT INTO shop.keep VALUES (1), (2), (3);
            CREATE TABLE shop.gone (id int);
            INSERT INTO shop.gone VALUES (1), (2);
            """);
        BuildSite();
        await _backup.WriteAsync(_site.Path, Components, database.Connection);
        ChangeSite();
        await database.ExecuteAsync("""
            INSERT INTO shop.items SELECT generate_series(11, 15);
            DELETE FROM shop.items WHERE id IN (1, 2);
            DROP TABLE shop.gone;
            CREATE TABLE shop.added (id int);
            INSERT INTO shop.added VALUES (1), (2), (3), (4);
            """);
        var store = new NoVolumeReadsStore(_backup.Store);

        var preview = await new RestorePreviewer(_backup.Kek).PreviewAsync(Request(store) with { TargetDatabase = database.Connection }, default);

        var files = preview.Files!;
        Assert.Equal(["uploads/b.txt"], files.Create.Paths);
        Assert.Equal(3, files.Create.Bytes);
        Assert.Equal(["uploads/a.txt", "uploads/grow.txt", "uploads/link", "uploads/mode.txt"], files.Overwrite.Paths);
        Assert.Equal(11 + 1 + 0 + 4, files.Overwrite.Bytes);
        Assert.Equal(["uploads/new.txt", "uploads/newdir", "uploads/newdir/x.txt"], files.Delete.Paths);
        Assert.Equal(7 + 0 + 1, files.Delete.Bytes);
        Assert.Equal(
            ["themes", "themes/t.css", "uploads", "uploads/keep.txt", "uploads/same.txt", "uploads/sub", "uploads/sub/deep.txt"],
            files.Unchanged.Paths);
        Assert.Equal(0, files.Skipped.Count);
        Assert.Equal(4, files.Overwrite.Count);
        Assert.False(files.Unchanged.Truncated);

        var db = preview.Database!;
        Assert.True(db.DatabaseExists);
        Assert.Equal(
            [
                new TablePreview("shop.added", TablePreview.Drop, 4, false, null),
                new TablePreview("shop.gone", TablePreview.Create, null, false, 2),
                new TablePreview("shop.items", TablePreview.Replace, 13, false, 10),
                new TablePreview("shop.keep", TablePreview.Replace, 3, false, 3),
            ],
            db.Tables);
        Assert.Equal(db.LiveServerVersion, db.BackupServerVersion);
        Assert.Empty(preview.Warnings);
        Assert.Equal(PreviewBackupFixture.BackupId, preview.BackupId);
        Assert.Equal(PreviewBackupFixture.CreatedAt, preview.BackupCreatedAt);
        Assert.Equal(["site/backups/b1/manifest.json", "site/backups/b1/index.bin"], store.Read);
    }

    [Fact]
    public async Task Selective_items_limit_files_and_tables_to_what_they_name()
    {
        await using var database = await ScratchDatabase.CreateAsync("bfprev");
        await database.ExecuteAsync("CREATE TABLE items (id int); CREATE TABLE other (id int); INSERT INTO items VALUES (1);");
        BuildSite();
        await _backup.WriteAsync(_site.Path, Components, database.Connection);
        ChangeSite();
        await database.ExecuteAsync("INSERT INTO items VALUES (2); DROP TABLE other;");

        var preview = await new RestorePreviewer(_backup.Kek).PreviewAsync(
            Request(_backup.Store) with { TargetDatabase = database.Connection, Items = ["uploads/sub", "uploads/*.txt", "table:public.items"] }, default);

        var files = preview.Files!;
        Assert.Equal(["uploads/b.txt"], files.Create.Paths);
        Assert.Equal(["uploads/a.txt", "uploads/grow.txt", "uploads/mode.txt"], files.Overwrite.Paths);
        // A restore with items removes nothing (docs/design.md, the in-place files restore): uploads/new.txt stays.
        Assert.Empty(files.Delete.Paths);
        Assert.Equal(["uploads/keep.txt", "uploads/same.txt", "uploads/sub", "uploads/sub/deep.txt"], files.Unchanged.Paths);
        Assert.Equal([new TablePreview("public.items", TablePreview.Replace, 2, false, 1)], preview.Database!.Tables);

        var tablesOnly = await new RestorePreviewer(_backup.Kek).PreviewAsync(
            Request(_backup.Store) with { TargetDatabase = database.Connection, Items = ["table:\"public\".\"other\""] }, default);
        Assert.Equal(0, tablesOnly.Files!.Create.Count + tablesOnly.Files.Overwrite.Count + tablesOnly.Files.Delete.Count + tablesOnly.Files.Unchanged.Count);
        Assert.Equal([new TablePreview("public.other", TablePreview.Create, null, false, 0)], tablesOnly.Database!.Tables);
    }

    [Fact]
    public async Task Without_overwrite_existing_entries_that_differ_are_skipped_and_nothing_is_deleted()
    {
        BuildSite();
        await _backup.WriteAsync(_site.Path, Components, null);
        ChangeSite();

        var preview = await new RestorePreviewer(_backup.Kek).PreviewAsync(Request(_backup.Store) with { OverwriteExisting = false }, default);

        var files = preview.Files!;
        Assert.Equal(["uploads/b.txt"], files.Create.Paths);
        Assert.Equal(["uploads/a.txt", "uploads/grow.txt", "uploads/link", "uploads/mode.txt"], files.Skipped.Paths);
        Assert.Equal(0, files.Overwrite.Count);
        Assert.Equal(0, files.Delete.Count);
        Assert.Equal(7, files.Unchanged.Count);
        Assert.Null(preview.Database);
    }

    [Fact]
    public async Task Lists_stop_at_a_thousand_paths_while_counts_and_bytes_cover_every_entry()
    {
        var uploads = Directory.CreateDirectory(_site.Combine("uploads")).FullName;
        for (var i = 0; i < 1205; i++)
            await File.WriteAllTextAsync(Path.Combine(uploads, $"f{i:D4}.txt"), new string('x', i % 10));
        await _backup.WriteAsync(_site.Path, ["uploads"], null);
        Directory.Delete(uploads, recursive: true);

        var preview = await new RestorePreviewer(_backup.Kek).PreviewAsync(Request(_backup.Store) with { Components = ["uploads"] }, default);

        var create = preview.Files!.Create;
        Assert.Equal(1206, create.Count);
        Assert.Equal(Enumerable.Range(0, 1205).Sum(i => (long)(i % 10)), create.Bytes);
        Assert.Equal(PreviewPathGroup.MaxListed, create.Paths.Count);
        Assert.True(create.Truncated);
        Assert.Equal(["uploads", .. Enumerable.Range(0, 999).Select(i => $"uploads/f{i:D4}.txt")], create.Paths);
    }

    [Fact]
    public async Task A_target_folder_that_does_not_exist_yet_is_previewed_as_empty()
    {
        BuildSite();
        await _backup.WriteAsync(_site.Path, Components, null);

        var preview = await new RestorePreviewer(_backup.Kek).PreviewAsync(
            Request(_backup.Store) with { TargetRoot = _site.Combine("new", "site") }, default);

        Assert.Equal(12, preview.Files!.Create.Count);
        Assert.Equal(0, preview.Files.Unchanged.Count + preview.Files.Delete.Count + preview.Files.Overwrite.Count);
    }

    [Fact]
    public async Task Names_that_sort_differently_by_path_and_by_folder_merge_as_the_walk_lists_them()
    {
        // Plain ordinal order puts "a-c" before "a/b"; the walk and the index put the folder "a" and its content first.
        Write("uploads/a/b.txt", "b");
        Write("uploads/a-c.txt", "c");
        Write("uploads/a.d/e.txt", "e");
        Write("uploads/a0.txt", "0");
        await _backup.WriteAsync(_site.Path, ["uploads"], null);

        var preview = await new RestorePreviewer(_backup.Kek).PreviewAsync(Request(_backup.Store) with { Components = ["uploads"] }, default);

        Assert.Equal(["uploads", "uploads/a", "uploads/a/b.txt", "uploads/a-c.txt", "uploads/a.d", "uploads/a.d/e.txt", "uploads/a0.txt"],
            preview.Files!.Unchanged.Paths);
        Assert.Equal(0, preview.Files.Create.Count + preview.Files.Delete.Count + preview.Files.Overwrite.Count);
    }

    [Fact]
    public async Task A_damaged_index_fails_the_preview_instead_of_answering_from_it()
    {
        BuildSite();
        await _backup.WriteAsync(_site.Path, Components, null);
        await Verification.StoredBackupFixture.FlipAByteAsync(_backup.Store, "site/backups/b1/index.bin");

        await Assert.ThrowsAsync<BackupFunctions.Core.Format.IntegrityException>(() => new RestorePreviewer(_backup.Kek).PreviewAsync(Request(_backup.Store), default));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("../etc")]
    [InlineData("uploads/../../etc")]
    [InlineData("uploads/./x")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/Windows")]
    [InlineData("uploads\\x")]
    [InlineData("uploads/\u0001")]
    [InlineData("table:")]
    [InlineData("table:nodot")]
    [InlineData("table:\"unterminated.x")]
    public async Task Hostile_or_malformed_items_are_refused_before_anything_is_read(string item)
    {
        var store = new NoVolumeReadsStore(_backup.Store);

        await Assert.ThrowsAsync<ArgumentException>(() =>
            new RestorePreviewer(_backup.Kek).PreviewAsync(Request(store) with { Items = ["uploads/**", item] }, default));
        Assert.Empty(store.Read);
    }

    [Fact]
    public async Task Too_little_disk_space_and_a_newer_backup_are_warned_about()
    {
        BuildSite();
        await _backup.WriteAsync(_site.Path, Components, null);
        Directory.Delete(_site.Combine("uploads"), recursive: true);
        string? asked = null;
        var previewer = new RestorePreviewer(_backup.Kek, folder =>
        {
            asked = folder;
            return RestorePreviewer.MinimumSpaceMargin; // less than the margin plus the bytes written
        });

        var preview = await previewer.PreviewAsync(
            Request(_backup.Store) with { NewestBackupCreatedAt = PreviewBackupFixture.CreatedAt.AddDays(1) }, default);

        Assert.Equal([RestoreWarning.NewerBackup, RestoreWarning.DiskSpace], preview.Warnings.Select(w => w.Code));
        Assert.Equal(_site.Path, asked);
        Assert.Contains($"writes {preview.Files!.Create.Bytes} bytes", preview.Warnings[1].Message, StringComparison.Ordinal);

        var roomy = await new RestorePreviewer(_backup.Kek, _ => RestorePreviewer.MinimumSpaceMargin + preview.Files.Create.Bytes * 2)
            .PreviewAsync(Request(_backup.Store) with { NewestBackupCreatedAt = PreviewBackupFixture.CreatedAt }, default);
        Assert.Empty(roomy.Warnings);
    }

    [Fact]
    public async Task A_dump_from_a_newer_server_major_version_is_warned_about()
    {
        await using var database = await ScratchDatabase.CreateAsync("bfprev");
        await database.ExecuteAsync("CREATE TABLE t (id int)");
        await _backup.WriteAsync(null, [], database.Connection, dumpVersion: "99.1 (Debian 99.1-1)");

        var preview = await new RestorePreviewer(_backup.Kek).PreviewAsync(
            new RestorePreviewRequest(_backup.Store, PreviewBackupFixture.Prefix, PreviewBackupFixture.BackupId, null, [], database.Connection), default);

        var warning = Assert.Single(preview.Warnings);
        Assert.Equal(RestoreWarning.ServerVersion, warning.Code);
        Assert.Contains("PostgreSQL 99", warning.Message, StringComparison.Ordinal);
        Assert.Null(preview.Files);
    }

    [Fact]
    public async Task A_database_that_does_not_exist_has_every_table_created_and_large_tables_are_estimated()
    {
        await using var database = await ScratchDatabase.CreateAsync("bfprev");
        await database.ExecuteAsync("CREATE TABLE big (id int); INSERT INTO big SELECT generate_series(1, 150000); ANALYZE big; CREATE TABLE small (id int);");
        await _backup.WriteAsync(null, [], database.Connection);
        await using var missing = ScratchDatabase.Reserve("bfprev");

        var previewer = new RestorePreviewer(_backup.Kek);
        var fresh = await previewer.PreviewAsync(
            new RestorePreviewRequest(_backup.Store, PreviewBackupFixture.Prefix, PreviewBackupFixture.BackupId, null, [], missing.Connection), default);
        Assert.False(fresh.Database!.DatabaseExists);
        Assert.Null(fresh.Database.LiveServerVersion);
        Assert.Equal(
            [new TablePreview("public.big", TablePreview.Create, null, false, 150000), new TablePreview("public.small", TablePreview.Create, null, false, 0)],
            fresh.Database.Tables);

        var live = await previewer.PreviewAsync(
            new RestorePreviewRequest(_backup.Store, PreviewBackupFixture.Prefix, PreviewBackupFixture.BackupId, null, [], database.Connection), default);
        var big = live.Database!.Tables[0];
        Assert.True(big.LiveRowsEstimated);
        Assert.InRange(big.LiveRows!.Value, 140_000, 160_000);
        Assert.Equal(new TablePreview("public.small", TablePreview.Replace, 0, false, 0), live.Database.Tables[1]);
    }

    [Theory]
    [InlineData("15.4 (Debian 15.4-1.pgdg120+1)", 15)]
    [InlineData("9.6.24", 9)]
    [InlineData("17devel", 17)]
    [InlineData("unknown", null)]
    public void Major_versions_are_read_from_server_version_text(string version, int? major)
        => Assert.Equal(major, RestorePreviewer.MajorVersion(version));

    private RestorePreviewRequest Request(Core.Storage.IBackupStore store) =>
        new(store, PreviewBackupFixture.Prefix, PreviewBackupFixture.BackupId, _site.Path, Components, null);

    /// <summary>Two components, a folder outside them, files at a fixed time and mode, a link.</summary>
    private void BuildSite()
    {
        Write("uploads/a.txt", "hello world");
        Write("uploads/b.txt", "bbb");
        Write("uploads/grow.txt", "x");
        Write("uploads/keep.txt", "keep");
        Write("uploads/mode.txt", "mode");
        Write("uploads/same.txt", "same");
        Write("uploads/sub/deep.txt", "deep");
        Write("themes/t.css", "body{}");
        Write("private/secret.txt", "not a component");
        File.CreateSymbolicLink(_site.Combine("uploads", "link"), "a.txt");
        File.SetUnixFileMode(_site.Combine("uploads", "mode.txt"), (UnixFileMode)0b110_100_100);
    }

    /// <summary>
    /// Edited in place (same size, new content), grown, deleted, touched only, mode changed, link retargeted, added;
    /// the folder outside the components changes too and must not show.
    /// </summary>
    private void ChangeSite()
    {
        Write("uploads/a.txt", "HELLO WORLD", After);
        Write("uploads/grow.txt", "xxxx", After);
        File.Delete(_site.Combine("uploads", "b.txt"));
        File.SetLastWriteTimeUtc(_site.Combine("uploads", "same.txt"), After.UtcDateTime);
        File.SetUnixFileMode(_site.Combine("uploads", "mode.txt"), (UnixFileMode)0b110_000_000);
        File.Delete(_site.Combine("uploads", "link"));
        File.CreateSymbolicLink(_site.Combine("uploads", "link"), "same.txt");
        Write("uploads/new.txt", "new one", After);
        Write("uploads/newdir/x.txt", "x", After);
        Write("private/other.txt", "not a component", After);
    }

    private void Write(string path, string content, DateTimeOffset? at = null)
    {
        var full = Path.Combine(_site.Path, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content, new UTF8Encoding(false));
        File.SetLastWriteTimeUtc(full, (at ?? Before).UtcDateTime);
    }
}
