namespace BackupFunctions.Tests.Support;

/// <summary>
/// What happens to a CMS after its backup, for a restore to undo: files edited, added and deleted, a mode changed, an
/// empty folder added and one removed; rows inserted, updated and deleted, a table dropped and one created.
/// </summary>
public static class RestoreChanges
{
    public static async Task ApplyAsync(CmsBackup cms)
    {
        var site = cms.Site;
        File.WriteAllBytes(Path.Combine(site, "uploads/2024/01/photo.jpg"), new byte[1234]);
        File.WriteAllText(Path.Combine(site, "uploads/added.txt"), "new since the backup");
        File.Delete(Path.Combine(site, "themes/twentytwenty/style.css"));
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(Path.Combine(site, "config/settings.php"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(Path.Combine(site, "plugins/new-empty"));
        Directory.Delete(Path.Combine(site, "plugins/empty-plugin"));
        File.WriteAllText(Path.Combine(site, "cache/ignored.tmp"), "changed, but not a component");
        await cms.ExecuteAsync("""
            INSERT INTO authors (name) VALUES ('Neu'), ('Nouveau');
            UPDATE posts SET title = 'edited', body = NULL WHERE id = 1;
            DELETE FROM posts WHERE id IN (2, 3, 4);
            DROP TABLE options;
            CREATE TABLE comments (id int PRIMARY KEY, body text);
            INSERT INTO comments VALUES (1, 'first');
            SELECT setval('invoice_numbers', 2000);
            """);
    }
}
