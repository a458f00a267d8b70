using System.Diagnostics;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Sources;
using Npgsql;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>The database dump step runs under the job's watch: it reports its bytes and a cancel stops it.</summary>
public sealed class DumpCancelTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task A_dump_waiting_on_a_locked_table_stops_when_the_job_is_cancelled()
    {
        await using var db = await ScratchDatabase.CreateAsync("dumpcancel");
        await db.ExecuteAsync("CREATE TABLE items (id int); INSERT INTO items SELECT generate_series(1, 100);");
        var (plan, job) = await PlanAsync(db);
        await using var locker = await ScratchDatabase.OpenAsync(db.Name);
        await using var transaction = await locker.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE items IN ACCESS EXCLUSIVE MODE", locker, transaction))
            await lockTable.ExecuteNonQueryAsync();

        var dump = _engine.Get<BackupRunner>().DumpDatabaseAsync(new PartInput(plan, null), CancellationToken.None);
        await Task.Delay(1500);
        Assert.False(dump.IsCompleted, "the dump should wait for the lock");
        await _engine.Catalog.Jobs.UpdateAsync(job.Id, j => j with { CancelRequested = true }, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        _engine.Clock.Advance(TimeSpan.FromSeconds(2));

        await Assert.ThrowsAsync<JobCancelledException>(() => dump.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"stopped after {clock.Elapsed}");
        Assert.Empty(_engine.FilesOf(await _engine.Catalog.Configs.GetAsync(plan.ConfigId, CancellationToken.None) ?? throw new InvalidOperationException()));
    }

    [Fact]
    public async Task The_dump_reports_the_bytes_it_wrote()
    {
        await using var db = await ScratchDatabase.CreateAsync("dumpbytes");
        await db.ExecuteAsync("CREATE TABLE items (id int, body text); INSERT INTO items SELECT i, repeat('x', 200) FROM generate_series(1, 5000) i;");
        var (plan, job) = await PlanAsync(db);

        var result = await _engine.Get<BackupRunner>().DumpDatabaseAsync(new PartInput(plan, null), CancellationToken.None);

        var row = (await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!;
        Assert.True(result.Part.PlainSize > 10_000);
        Assert.Equal(result.Part.PlainSize, row.Progress.DatabaseBytes);
        var log = await _engine.Get<JobLogs>().ListAsync(job.Id, 10, null, CancellationToken.None);
        var entry = Assert.Single(log.Items);
        Assert.Equal("Database dumped", entry.Message);
        Assert.Equal(result.Part.PlainSize, entry.Context!["dumpBytes"]!.GetValue<long>());
    }

    private async Task<(BackupPlan Plan, BackupJob Job)> PlanAsync(ScratchDatabase db)
    {
        var stored = await _engine.Catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = "dump",
            Database = new DatabaseSource { Host = db.Connection.Host, Port = db.Connection.Port, Database = db.Name, Username = db.Connection.Username },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = "dump-" + db.Name, Prefix = "site" },
            Encryption = new EncryptionOptions { Algorithm = "none" },
        }, CancellationToken.None);
        var job = await _engine.CreateJobAsync(stored.Id, JobStatus.Running, TimeSpan.Zero);
        return (new BackupPlan(job.Id, job.Id, stored.Id, stored.Config, job.StartedAt!.Value), job);
    }
}
