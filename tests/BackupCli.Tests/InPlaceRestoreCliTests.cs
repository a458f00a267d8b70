using System.Diagnostics;
using BackupCli.Tests.Support;
using BackupFunctions.Core.Tests.Support;
using Npgsql;

namespace BackupCli.Tests;

/// <summary>
/// <c>backupctl restore --in-place</c> against a real site folder and the real PostgreSQL test server: a changed live
/// site and database are restored to the backup, a pre-restore backup is made first and restores the changed state, and
/// failures after the swap (a real lock held by another session; a restored file changed before verification) roll back.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class InPlaceRestoreCliTests : IAsyncLifetime
{
    private CmsSource _source = null!;
    private string _destination = null!;
    private string _backupId = null!;
    private string _siteAtBackup = null!;
    private Dictionary<string, string> _databaseAtBackup = null!;

    public async Task InitializeAsync()
    {
        _source = await CmsSource.CreateAsync();
        _destination = Cli.FileUri(_source.NewFolder("dest"));
        var backup = await Cli.RunAsync(
            "backup", "--to", _destination, "--site", _source.SiteRoot, "--db", _source.Database.ConnectionString, "--key-file", _source.KeyFile, "--json");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        _backupId = backup.Json().GetProperty("backupId").GetString()!;
        _siteAtBackup = _source.NewFolder("site-at-backup");
        CopyTree(_source.SiteRoot, _siteAtBackup);
        _databaseAtBackup = await ContentAsync();
    }

    public async Task DisposeAsync() => await _source.DisposeAsync();

    [Fact]
    public async Task A_changed_site_and_database_are_restored_in_place_and_the_pre_restore_backup_brings_the_change_back()
    {
        await ChangeLiveAsync();
        var siteChanged = _source.NewFolder("site-changed");
        CopyTree(_source.SiteRoot, siteChanged);
        var databaseChanged = await ContentAsync();
        Assert.NotEqual(_databaseAtBackup, databaseChanged);
        var preRestoreTo = Cli.FileUri(_source.NewFolder("pre-restore"));

        var restore = await Cli.RunAsync(
            "restore", "--from", _destination, _backupId, "--in-place", "--to-dir", _source.SiteRoot, "--to-db", _source.Database.ConnectionString,
            "--pre-restore-backup-to", preRestoreTo, "--key-file", _source.KeyFile, "--json");

        Assert.True(restore.ExitCode == 0, restore.ToString());
        SiteFolders.AssertIdentical(_siteAtBackup, _source.SiteRoot);
        Assert.Equal(_databaseAtBackup, await ContentAsync());
        var json = restore.Json();
        var preRestoreId = json.GetProperty("preRestoreBackupId").GetString()!;
        Assert.Contains($"Pre-restore backup {preRestoreId}", restore.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, json.GetProperty("files").GetProperty("created").GetInt32()); // notes.txt, deleted after the backup
        Assert.Equal(2, json.GetProperty("files").GetProperty("deleted").GetInt32()); // added.txt and plugins/new/new.php
        Assert.Equal(4, json.GetProperty("tables").GetArrayLength());

        // The pre-restore backup holds the state the restore replaced: restoring it in place brings the change back.
        var back = await Cli.RunAsync(
            "restore", "--from", preRestoreTo, preRestoreId, "--in-place", "--to-dir", _source.SiteRoot, "--to-db", _source.Database.ConnectionString,
            "--no-pre-restore-backup", "--key-file", _source.KeyFile);
        Assert.True(back.ExitCode == 0, back.ToString());
        SiteFolders.AssertIdentical(siteChanged, _source.SiteRoot);
        Assert.Equal(databaseChanged, await ContentAsync());
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_source.SiteRoot),
            p => Path.GetFileName(p).Contains("bf-restore", StringComparison.Ordinal) || Path.GetFileName(p).Contains(".replaced-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_step_failing_on_a_held_lock_after_the_swap_rolls_the_files_back_and_commits_nothing()
    {
        await ChangeLiveAsync();
        var siteBefore = _source.NewFolder("site-before");
        CopyTree(_source.SiteRoot, siteBefore);
        var databaseBefore = await ContentAsync();

        CliResult restore;
        await using (var holder = await OpenAsync())
        {
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN ACCESS SHARE MODE", holder, transaction))
                await lockPosts.ExecuteNonQueryAsync();
            restore = await Cli.RunAsync(
                "restore", "--from", _destination, _backupId, "--in-place", "--to-dir", _source.SiteRoot, "--to-db", _source.Database.ConnectionString,
                "--no-pre-restore-backup", "--lock-timeout", "1", "--key-file", _source.KeyFile);
        }

        Assert.Equal(1, restore.ExitCode);
        Assert.Contains("lock timeout", restore.Stderr, StringComparison.Ordinal);
        Assert.Contains("Rolled back: the site folders", restore.Stderr, StringComparison.Ordinal);
        Assert.Contains("was not changed", restore.Stderr, StringComparison.Ordinal);
        SiteFolders.AssertIdentical(siteBefore, _source.SiteRoot);
        Assert.Equal(databaseBefore, await ContentAsync());
        Assert.Equal(SiteFolders.Files(siteBefore).Count, SiteFolders.Files(_source.SiteRoot).Count);
        Assert.Equal(Directory.EnumerateFileSystemEntries(siteBefore).Count(), Directory.EnumerateFileSystemEntries(_source.SiteRoot).Count());
    }

    [Fact]
    public async Task A_failure_after_the_database_committed_puts_the_database_back_from_the_pre_restore_backup()
    {
        await ChangeLiveAsync();
        var siteBefore = _source.NewFolder("site-before");
        CopyTree(_source.SiteRoot, siteBefore);
        var databaseBefore = await ContentAsync();
        var preRestoreTo = Cli.FileUri(_source.NewFolder("pre-restore"));

        // The database step waits for a lock held here; meanwhile (files already swapped in) a restored file is changed
        // under the restore, so that the verification after the database commit fails.
        Task<CliResult> restore;
        await using (var holder = await OpenAsync())
        {
            await using var transaction = await holder.BeginTransactionAsync();
            await using (var lockPosts = new NpgsqlCommand("LOCK TABLE posts IN ACCESS SHARE MODE", holder, transaction))
                await lockPosts.ExecuteNonQueryAsync();
            restore = Cli.RunAsync(
                "restore", "--from", _destination, _backupId, "--in-place", "--to-dir", _source.SiteRoot, "--to-db", _source.Database.ConnectionString,
                "--pre-restore-backup-to", preRestoreTo, "--lock-timeout", "60", "--key-file", _source.KeyFile);
            await WaitForAsync(async () => restore.IsCompleted || await WaitingForLockAsync(holder));
            Assert.False(restore.IsCompleted, restore.IsCompleted ? (await restore).ToString() : "");
            Assert.True(Directory.EnumerateDirectories(_source.SiteRoot, "uploads.replaced-*").Any(), "the files were not swapped before the database step");
            await File.WriteAllTextAsync(Path.Combine(_source.SiteRoot, "themes/classic/index.php"), "<?php echo 'changed under the restore';\n");
            await transaction.CommitAsync();
        }
        var result = await restore;

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("themes/classic/index.php", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("Rolled back: the site folders", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("was restored from the pre-restore backup", result.Stderr, StringComparison.Ordinal);
        // index.php was unchanged since the backup, so the restore reused the live file (a hard link): the write under
        // the restore went to the one inode the live and the restored site share, and the rollback keeps it (the site
        // as it is now, less the restore). Every other file is back as it was.
        File.WriteAllText(Path.Combine(siteBefore, "themes/classic/index.php"), "<?php echo 'changed under the restore';\n");
        SiteFolders.AssertIdentical(siteBefore, _source.SiteRoot);
        Assert.Equal(databaseBefore, await ContentAsync());
    }

    [Fact]
    public async Task In_place_restores_refuse_what_they_cannot_do_as_usage_errors_touching_nothing()
    {
        await ChangeLiveAsync();
        var siteBefore = _source.NewFolder("site-before");
        CopyTree(_source.SiteRoot, siteBefore);
        var databaseBefore = await ContentAsync();
        string[] common = ["restore", "--from", _destination, _backupId, "--key-file", _source.KeyFile];
        string[] live = ["--to-dir", _source.SiteRoot, "--to-db", _source.Database.ConnectionString];

        var noChoice = await Cli.RunAsync([.. common, "--in-place", .. live]);
        Assert.Equal(2, noChoice.ExitCode);
        Assert.Contains("--pre-restore-backup-to", noChoice.Stderr, StringComparison.Ordinal);
        var both = await Cli.RunAsync([.. common, "--in-place", .. live, "--no-pre-restore-backup", "--pre-restore-backup-to", _destination]);
        Assert.Equal(2, both.ExitCode);
        var notInPlace = await Cli.RunAsync([.. common, "--to-dir", _source.NewFolder("empty"), "--items", "uploads"]);
        Assert.Equal(2, notInPlace.ExitCode);
        Assert.Contains("--items needs --in-place", notInPlace.Stderr, StringComparison.Ordinal);
        var missingRoot = await Cli.RunAsync([.. common, "--in-place", "--no-pre-restore-backup", "--to-dir", _source.NewFolder("missing")]);
        Assert.Equal(2, missingRoot.ExitCode);
        var keep = await Cli.RunAsync([.. common, "--in-place", .. live, "--no-pre-restore-backup", "--keep-existing"]);
        Assert.Equal(2, keep.ExitCode);
        Assert.Contains("--keep-existing:", keep.Stderr, StringComparison.Ordinal);
        var noTable = await Cli.RunAsync([.. common, "--in-place", .. live, "--no-pre-restore-backup", "--items", "table:public.nosuch"]);
        Assert.Equal(2, noTable.ExitCode);
        Assert.Contains("--items:", noTable.Stderr, StringComparison.Ordinal);
        var hostile = await Cli.RunAsync([.. common, "--in-place", .. live, "--no-pre-restore-backup", "--items", "../../etc"]);
        Assert.Equal(2, hostile.ExitCode);

        SiteFolders.AssertIdentical(siteBefore, _source.SiteRoot);
        Assert.Equal(databaseBefore, await ContentAsync());
    }

    /// <summary>Files edited, added and deleted; rows inserted, updated and deleted; a table dropped, one created.</summary>
    private async Task ChangeLiveAsync()
    {
        var root = _source.SiteRoot;
        await File.WriteAllTextAsync(Path.Combine(root, "themes/classic/style.css"), "body { color: red; }\n");
        await File.WriteAllTextAsync(Path.Combine(root, "uploads/added.txt"), "added after the backup\n");
        Directory.CreateDirectory(Path.Combine(root, "plugins/new"));
        await File.WriteAllTextAsync(Path.Combine(root, "plugins/new/new.php"), "<?php // new\n");
        File.Delete(Path.Combine(root, "uploads/2024/notes.txt"));
        await _source.Database.ExecuteAsync("""
            INSERT INTO posts (title) VALUES ('written after the backup');
            UPDATE posts SET title = 'edited' WHERE id < 10;
            DELETE FROM posts WHERE id BETWEEN 400 AND 410;
            DROP TABLE empty_table;
            CREATE TABLE added (id int);
            INSERT INTO added VALUES (1);
            """);
    }

    /// <summary>Every user table with an md5 of all its rows (in a fixed order): equal only for the same tables and rows.</summary>
    private async Task<Dictionary<string, string>> ContentAsync()
    {
        await using var connection = await OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                tables.Add(reader.GetString(0));
        }

        var content = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
#pragma warning disable CA2100 // names come from pg_tables, quoted by format('%I')
            await using var rows = new NpgsqlCommand($"SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {table} t", connection);
#pragma warning restore CA2100
            content[table] = (string)(await rows.ExecuteScalarAsync())!;
        }
        return content;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(TestEnvironment.NpgsqlConnectionString(TestEnvironment.Postgres(_source.Database.Name)));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>Whether another session of this database waits for a lock (the restore's transaction, behind ours).</summary>
    private static async Task<bool> WaitingForLockAsync(NpgsqlConnection holder)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND NOT l.granted", holder);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(120), "the condition did not become true within 120 s");
            await Task.Delay(50);
        }
    }

    private static void CopyTree(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var dir in Directory.EnumerateDirectories(from, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
