using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Tests.Sources;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// The dump step as the app composes it: a config that says nothing about TLS gets verify-full against the roots of
/// Postgres:SslRootCertFile, for Npgsql and pg_dump alike.
/// </summary>
public sealed class DatabaseTlsJobTests
{
    [Fact]
    public async Task By_default_the_dump_reaches_a_server_that_admits_the_role_over_TLS_only()
    {
        // The server turns bf_tls_only away without TLS (scripts/services.sh), so Npgsql's describe and pg_dump both
        // used it; and verified it, since the config says nothing and the default is verify-full.
        await using var engine = await EngineAsync();
        await using var db = await ScratchDatabase.CreateAsync("tlsdefault");
        await db.ExecuteAsync("CREATE TABLE items (id int); INSERT INTO items SELECT generate_series(1, 100);");
        var (plan, _) = await PlanAsync(engine.Engine, db, sslMode: null, username: TestEnvironment.PostgresTlsOnlyUser);
        Assert.Equal(PostgresSslModes.VerifyFull, plan.Config.Database!.SslMode);

        var result = await engine.Engine.Get<BackupRunner>().DumpDatabaseAsync(new PartInput(plan, null), CancellationToken.None);

        Assert.Equal(100, Assert.Single(result.Source.Tables).Rows);
        Assert.True(result.Part.PlainSize > 0);
    }

    [Fact]
    public async Task A_config_without_sslMode_refuses_a_server_the_trusted_roots_did_not_issue()
    {
        using var folder = new TempFolder("bf-tlsjob-");
        await using var engine = await EngineAsync(ThrowawayCa.WritePem(folder));
        await using var db = await ScratchDatabase.CreateAsync("tlswrongca");
        var (plan, _) = await PlanAsync(engine.Engine, db, sslMode: null);

        var error = await Assert.ThrowsAsync<PostgresToolException>(
            () => engine.Engine.Get<BackupRunner>().DumpDatabaseAsync(new PartInput(plan, null), CancellationToken.None));

        Assert.Contains("TLS certificate was rejected (sslMode verify-full)", error.Message, StringComparison.Ordinal);
        Assert.Contains("other-ca.crt", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("require")]
    [InlineData("disable")]
    public async Task A_config_that_asks_for_less_backs_up_without_the_roots(string sslMode)
    {
        using var folder = new TempFolder("bf-tlsjob-");
        await using var engine = await EngineAsync(ThrowawayCa.WritePem(folder));
        await using var db = await ScratchDatabase.CreateAsync("tlsless");
        await db.ExecuteAsync("CREATE TABLE items (id int); INSERT INTO items SELECT generate_series(1, 100);");
        var (plan, _) = await PlanAsync(engine.Engine, db, sslMode);

        var result = await engine.Engine.Get<BackupRunner>().DumpDatabaseAsync(new PartInput(plan, null), CancellationToken.None);

        Assert.Equal(100, Assert.Single(result.Source.Tables).Rows);
    }

    private static async Task<(BackupPlan Plan, BackupJob Job)> PlanAsync(JobEngine engine, ScratchDatabase db, string? sslMode, string? username = null)
    {
        var source = new DatabaseSource { Host = db.Connection.Host, Port = db.Connection.Port, Database = db.Name, Username = username ?? db.Connection.Username };
        var stored = await engine.Catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = "tls",
            Database = sslMode is null ? source : source with { SslMode = sslMode },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = "tls-" + db.Name, Prefix = "site" },
            Encryption = new EncryptionOptions { Algorithm = "none" },
        }, CancellationToken.None);
        var job = await engine.CreateJobAsync(stored.Id, JobStatus.Running, TimeSpan.Zero);
        return (new BackupPlan(job.Id, job.Id, stored.Id, stored.Config, job.StartedAt!.Value), job);
    }

    /// <summary>The engine trusting <paramref name="rootCertFile"/> (default: the test server's CA).</summary>
    private static async Task<EngineScope> EngineAsync(string? rootCertFile = null)
    {
        var engine = new JobEngine(new Dictionary<string, string?> { ["Postgres:SslRootCertFile"] = rootCertFile ?? TestEnvironment.PostgresRootCert });
        await engine.InitializeAsync();
        return new EngineScope(engine);
    }

    private sealed class EngineScope(JobEngine engine) : IAsyncDisposable
    {
        public JobEngine Engine { get; } = engine;

        public async ValueTask DisposeAsync() => await Engine.DisposeAsync();
    }
}
