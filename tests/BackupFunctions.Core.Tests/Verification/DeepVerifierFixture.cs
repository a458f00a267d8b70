using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Sources;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Verification;

/// <summary>A small CMS to back up — a database on the test server and a site folder — and a key file.</summary>
public sealed class DeepVerifierFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new("bf-deep-");
    private ScratchDatabase? _database;

    public string SiteRoot => _folder.Combine("site");

    public string KeyFile => _folder.Combine("backup.key");

    internal ScratchDatabase Database => _database!;

    public PostgresToolsOptions Tools { get; } = new() { BinDirectory = TestEnvironment.PostgresBinDirectory };

    /// <summary>The site's files (relative paths) and their total size.</summary>
    public IReadOnlyDictionary<string, long> Files { get; private set; } = new Dictionary<string, long>();

    public async Task InitializeAsync()
    {
        _database = await ScratchDatabase.CreateAsync("bfdeep");
        await _database.ExecuteAsync("""
            CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, body text);
            INSERT INTO posts (title, body) SELECT 'post ' || i, repeat('lorem ipsum ', i % 40) FROM generate_series(1, 300) i;
            """);
        var files = new Dictionary<string, long>();
        for (var i = 0; i < 40; i++)
            files[$"uploads/2024/f{i:D2}.txt"] = Write($"uploads/2024/f{i:D2}.txt", new string((char)('a' + i % 26), 100 + i * 37));
        files["themes/classic/style.css"] = Write("themes/classic/style.css", "body { color: #333; }\n");
        files["plugins/seo/seo.php"] = Write("plugins/seo/seo.php", "<?php // seo\n");
        files["config/settings.php"] = Write("config/settings.php", "<?php define('DB_NAME', 'cms');\n");
        Files = files;
        LocalKeyFileKek.Create(KeyFile);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
            await _database.DisposeAsync();
        _folder.Dispose();
    }

    private long Write(string relative, string content)
    {
        var path = Path.Combine(SiteRoot, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return new FileInfo(path).Length;
    }
}
