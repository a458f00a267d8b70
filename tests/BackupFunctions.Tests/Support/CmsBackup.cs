using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Support;
using Npgsql;

namespace BackupFunctions.Tests.Support;

/// <summary>
/// A sample CMS (database and site folder, <see cref="SampleCms"/>) with a config on the local host and backups made
/// through the API: what a restore test starts from. Disposing drops the database (and any the test named).
/// </summary>
public sealed class CmsBackup : IAsyncDisposable
{
    private readonly LocalHostFixture _host;
    private readonly List<string> _databases = [];

    private CmsBackup(LocalHostFixture host, PostgresConnectionInfo database, string site, string configId)
    {
        _host = host;
        Database = database;
        Site = site;
        ConfigId = configId;
        _databases.Add(database.Database);
    }

    public PostgresConnectionInfo Database { get; }

    public string Site { get; }

    public string ConfigId { get; }

    /// <summary>The backups made by <see cref="BackUpAsync"/>, oldest first.</summary>
    public List<string> Backups { get; } = [];

    public string BackupId => Backups[^1];

    /// <summary>A CMS with one completed backup (<paramref name="backUp"/> false: none yet).</summary>
    public static async Task<CmsBackup> CreateAsync(LocalHostFixture host, string name, bool backUp = true)
    {
        var db = await SampleCms.CreateDatabaseAsync(TestEnvironment.UniqueName(name));
        var site = SampleCms.CreateSite(host.Scratch(name));
        var configId = await host.CreateConfigAsync(new
        {
            name,
            database = new { host = db.Host, port = db.Port, database = db.Database, username = db.Username },
            files = new { root = site },
            schedule = new { frequency = "manual" },
            storage = new { type = "local", path = "restores", prefix = name },
            compression = new { algorithm = "zstd", level = 3 },
            encryption = new { algorithm = "chacha20-poly1305" },
        });
        var cms = new CmsBackup(host, db, site, configId);
        if (backUp)
            await cms.BackUpAsync();
        return cms;
    }

    /// <summary>Makes a backup through the API and waits for it to complete; its id.</summary>
    public async Task<string> BackUpAsync()
    {
        using var response = await _host.Http.PostAsJsonAsync("api/backups", new { configId = ConfigId });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        var jobId = JsonDocument.Parse(body).RootElement.GetProperty("jobId").GetString()!;
        var job = await JobPolling.WaitForJobAsync(_host.Http, jobId, TimeSpan.FromMinutes(3));
        Assert.True(job.GetProperty("status").GetString() == "completed", job.ToString());
        Backups.Add(jobId);
        return jobId;
    }

    /// <summary>A database name for a restore elsewhere, dropped on dispose.</summary>
    public string NewDatabaseName(string prefix)
    {
        var name = TestEnvironment.UniqueName(prefix);
        _databases.Add(name);
        return name;
    }

    public async Task ExecuteAsync(string sql, PostgresConnectionInfo? db = null)
    {
        await using var connection = new NpgsqlConnection(SampleCms.ConnectionString(db ?? Database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<bool> DatabaseExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(SampleCms.ConnectionString(TestEnvironment.Postgres()));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", name);
        return (long)(await command.ExecuteScalarAsync())! > 0;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var name in _databases)
            await SampleCms.DropDatabaseAsync(name);
    }
}
