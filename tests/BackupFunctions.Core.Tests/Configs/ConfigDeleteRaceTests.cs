using System.Collections.Concurrent;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Jobs;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Configs;

/// <summary>
/// A config delete and a backup start racing (the engine as the app composes it, on Azurite): a delete marks the
/// config and then passes the config's guard row, a start claims its place there and then reads the config again, so
/// whichever interleaving, no backup starts for a deleted config and no config is deleted under a starting backup.
/// </summary>
public sealed class ConfigDeleteRaceTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task A_start_that_read_the_config_before_the_delete_marked_it_takes_its_claim_back()
    {
        var config = await _engine.CreateConfigAsync("late-start");
        // The start read the config before this mark; its claim comes after.
        var (marked, _) = await _engine.Catalog.Configs.MarkDeletedAsync(config.Id, null, default);
        Assert.Equal(ConfigChangeOutcome.Changed, marked);
        var jobId = JobIds.ForManual(config.Id, _engine.Clock.GetUtcNow(), "0badc0de");

        var (claimed, _, restore, deleted) = await new JobSlotGuard(_engine.Catalog, _engine.Clock).TryClaimAsync(config.Id, jobId, 1, new Starter(), default);

        Assert.False(claimed);
        Assert.True(deleted);
        Assert.Null(restore);
        Assert.DoesNotContain((await _engine.Catalog.Jobs.ReadSlotsAsync(config.Id, default)).Holders, h => h.JobId == jobId);
    }

    [Fact]
    public async Task A_scheduler_that_read_the_config_before_the_delete_gives_it_no_next_run()
    {
        var config = await _engine.CreateConfigAsync("late-schedule");
        await _engine.Catalog.Configs.MarkDeletedAsync(config.Id, null, default);

        Assert.False(await _engine.Catalog.Configs.SetNextRunAtAsync(config.Id, _engine.Clock.GetUtcNow().AddHours(1), default));

        var stored = await _engine.Catalog.Configs.GetAsync(config.Id, default);
        Assert.NotNull(stored!.DeletedAt);
        Assert.Null(stored.NextRunAt);
    }

    [Fact]
    public async Task A_delete_that_finds_a_start_claimed_after_its_check_takes_its_mark_back_and_says_so()
    {
        var config = await _engine.CreateConfigAsync("early-start");
        var next = _engine.Clock.GetUtcNow().AddHours(3);
        await _engine.Catalog.Configs.SetNextRunAtAsync(config.Id, next, default);
        // A start's claim written, its job row not yet: the delete's look at the job rows finds nothing.
        var jobId = JobIds.ForManual(config.Id, _engine.Clock.GetUtcNow(), "0badc0de");
        var slots = await _engine.Catalog.Jobs.ReadSlotsAsync(config.Id, default);
        Assert.True(await _engine.Catalog.Jobs.TryWriteSlotsAsync(slots, [new JobSlotHolder(jobId, _engine.Clock.GetUtcNow())], default));

        var result = await _engine.Get<BackupConfigEditor>().DeleteAsync(config.Id, deleteBackups: false, ifMatch: null, default);

        Assert.Equal(ConfigEditOutcome.Busy, result.Outcome);
        Assert.Equal($"Backup job {jobId} of config {config.Id} is starting; cancel it or wait until it has finished.", result.Reason);
        var stored = await _engine.Catalog.Configs.GetAsync(config.Id, default);
        Assert.NotNull(stored);
        Assert.Null(stored.DeletedAt);
        Assert.Equal(next, stored.NextRunAt);
        Assert.Equal(config.Version(), stored.Version());
    }

    [Fact]
    public async Task A_start_and_a_delete_at_the_same_moment_never_both_pass()
    {
        const int Rounds = 12;
        var editor = _engine.Get<BackupConfigEditor>();
        var launcher = new BackupLauncher(_engine.Catalog, _engine.Clock, NullLogger<BackupLauncher>.Instance);
        for (var round = 0; round < Rounds; round++)
        {
            var config = await _engine.CreateConfigAsync($"race-{round}");
            var starter = new Starter();
            using var go = new SemaphoreSlim(0, 2);
            var start = Task.Run(async () =>
            {
                await go.WaitAsync();
                return await launcher.StartNowAsync(config.Id, starter, default);
            });
            var delete = Task.Run(async () =>
            {
                await go.WaitAsync();
                return await editor.DeleteAsync(config.Id, deleteBackups: false, ifMatch: null, default);
            });
            go.Release(2);
            var (started, deleted) = (await start, await delete);

            var stored = await _engine.Catalog.Configs.GetAsync(config.Id, default);
            var describe = $"round {round}: start {started.Outcome} {started.Reason}, delete {deleted.Outcome} {deleted.Reason}";
            Assert.False(started.Outcome == ManualStartOutcome.Started && deleted.Outcome == ConfigEditOutcome.Done, describe);
            Assert.Equal(starter.Started.Count > 0, started.Outcome == ManualStartOutcome.Started);
            Assert.Equal(deleted.Outcome == ConfigEditOutcome.Done, stored!.DeletedAt is not null);
            Assert.True(started.Outcome == ManualStartOutcome.Started || deleted.Outcome == ConfigEditOutcome.Done
                || (started.Outcome == ManualStartOutcome.ConfigNotFound && deleted.Outcome == ConfigEditOutcome.Busy), describe);
        }
    }

    /// <summary>Stands in for the Durable client: records the starts; every started job has an orchestration.</summary>
    private sealed class Starter : IBackupStarter
    {
        private readonly ConcurrentQueue<string> _started = new();

        public IReadOnlyList<string> Started => [.. _started];

        public Task<bool> ExistsAsync(string instanceId, CancellationToken cancellationToken) => Task.FromResult(_started.Contains(instanceId));

        public Task StartAsync(BackupRequest request, CancellationToken cancellationToken)
        {
            _started.Enqueue(request.JobId);
            return Task.CompletedTask;
        }
    }
}
