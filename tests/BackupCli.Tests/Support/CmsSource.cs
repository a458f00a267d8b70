using BackupFunctions.Core.Tests.Support;

namespace BackupCli.Tests.Support;

/// <summary>A CMS to back up: a site folder and a PostgreSQL database with a few tables, plus a key file.</summary>
public sealed class CmsSource : IAsyncDisposable
{
    private readonly TempFolder _folder = new("bf-cli-");

    private CmsSource(TestDatabase database)
    {
        Database = database;
        SiteRoot = _folder.Combine("site");
        KeyFile = _folder.Combine("backup.key");
    }

    public TestDatabase Database { get; }

    public string SiteRoot { get; }

    public string KeyFile { get; }

    /// <summary>A fresh folder for a destination or a restore target (not created).</summary>
    public string NewFolder(string name) => _folder.Combine(name + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>
    /// What every destination must allow: <c>ls</c> lists the backup, <c>verify --read-data</c> passes, and <c>restore</c>
    /// into an empty folder and a new database gives back this site and these rows exactly.
    /// </summary>
    public async Task AssertRestoresFromAsync(IDictionary<string, string> environment, string destination, string backupId, string databasePrefix)
    {
        var ls = await Cli.RunAsync(environment, "ls", "--from", destination, "--json");
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Equal(backupId, Assert.Single(ls.Json().GetProperty("backups").EnumerateArray()).GetProperty("backupId").GetString());

        var verify = await Cli.RunAsync(environment, "verify", "--from", destination, backupId, "--read-data", "--key-file", KeyFile);
        Assert.True(verify.ExitCode == 0, verify.ToString());

        var target = NewFolder("restored");
        await using var database = TestDatabase.Reserve(databasePrefix);
        var restore = await Cli.RunAsync(environment,
            "restore", "--from", destination, backupId, "--to-dir", target, "--to-db", database.ConnectionString, "--key-file", KeyFile);
        Assert.True(restore.ExitCode == 0, restore.ToString());
        SiteFolders.AssertIdentical(SiteRoot, target);
        Assert.Equal(await Database.RowCountsAsync(), await database.RowCountsAsync());
    }

    public static async Task<CmsSource> CreateAsync()
    {
        var database = await TestDatabase.CreateAsync("bfcli");
        var source = new CmsSource(database);
        SiteFolders.Create(source.SiteRoot);
        await database.ExecuteAsync("""
            CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, body text, published timestamptz DEFAULT now());
            INSERT INTO posts (title, body) SELECT 'post ' || i, repeat('lorem ipsum ', i % 50) FROM generate_series(1, 500) i;
            CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE NOT NULL);
            INSERT INTO users (email) SELECT 'user' || i || '@example.org' FROM generate_series(1, 37) i;
            CREATE SCHEMA shop;
            CREATE TABLE shop.orders (id bigserial PRIMARY KEY, user_id int REFERENCES users(id), total numeric(10,2));
            INSERT INTO shop.orders (user_id, total) SELECT 1 + i % 37, i * 1.5 FROM generate_series(1, 120) i;
            CREATE TABLE empty_table (id int);
            """);
        var created = await BackupCtl.RunAsync(["key", "create", "--out", source.KeyFile], TextWriter.Null, TextWriter.Null);
        Assert.Equal(0, created);
        return source;
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        _folder.Dispose();
    }
}
