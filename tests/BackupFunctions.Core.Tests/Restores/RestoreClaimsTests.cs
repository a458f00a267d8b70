using System.Collections.Concurrent;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Restores;
using BackupFunctions.Core.Tests.Catalog;
using Microsoft.Extensions.Logging.Abstractions;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>
/// <see cref="RestoreClaims"/> and <see cref="BackupLauncher"/> over one config's guard row on Azurite, with a fake
/// clock: a restore takes the whole config, backups wait for it (manual ones refused, scheduled ones skipped with the
/// reason), and a restore and a backup starting at the same moment never both pass.
/// </summary>
public sealed class RestoreClaimsTests : CatalogTestBase
{
    /// <summary>What holds the config when a restore asks, and whether it gets the config.</summary>
    public static TheoryData<string, bool, string?> Holders => new()
    {
        { "nothing", true, null },
        { "backup pending", false, "A backup of config" },
        { "backup running", false, "A backup of config" },
        { "backup completed", true, null },
        { "backup failed", true, null },
        { "backup claimed, row not written yet", false, "A backup of config" },
        { "backup claimed 3 minutes ago, row never written", true, null },
        { "restore pending", false, "Another restore of config" },
        { "restore running", false, "Another restore of config" },
        { "restore rolled back", true, null },
        { "restore claimed, row not written yet", false, "Another restore of config" },
        { "restore claimed 3 minutes ago, row never written", true, null },
    };

    [Theory]
    [MemberData(nameof(Holders))]
    public async Task A_restore_claims_the_config_only_when_no_backup_or_restore_holds_it(string holder, bool claimed, string? reason)
    {
        var configId = await CreateConfigAsync();
        var starter = new Starter(Catalog);
        var claims = new RestoreClaims(Catalog, Time, starter);
        var holderId = await HoldAsync(configId, holder, starter, claims);

        var answer = await claims.TryClaimAsync(configId, RestoreJobsTable.NewId(Time.GetUtcNow()), default);

        if (claimed)
        {
            Assert.Null(answer);
        }
        else
        {
            Assert.NotNull(answer);
            Assert.StartsWith(reason!, answer, StringComparison.Ordinal);
            Assert.Contains(holderId!, answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task While_a_restore_holds_the_config_a_manual_backup_is_refused_and_a_due_slot_skipped_with_the_reason()
    {
        var configId = await CreateConfigAsync(new BackupSchedule { Frequency = "hourly", Minute = 0 });
        var starter = new Starter(Catalog);
        var claims = new RestoreClaims(Catalog, Time, starter);
        var restoreId = await WriteRestoreAsync(configId, claims, RestoreJobStatus.Running);
        var launcher = new BackupLauncher(Catalog, Time, NullLogger<BackupLauncher>.Instance);

        var manual = await launcher.StartNowAsync(configId, starter, default);
        Assert.Equal(ManualStartOutcome.AtConcurrencyLimit, manual.Outcome);
        Assert.Equal($"A restore of config {configId} is running ({restoreId}); start the backup when it has finished.", manual.Reason);

        Time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await launcher.StartDueAsync(starter, default));
        var skipped = Assert.Single(await ToListAsync(Catalog.Jobs.OfConfigAsync(configId, JobStatus.Skipped, default)));
        Assert.Equal($"Skipped: a restore of this config is running ({restoreId}).", skipped.Error);
        Assert.Empty(starter.Started);

        // Once the restore has ended, backups start again.
        await Catalog.RestoreJobs.UpdateAsync(restoreId, j => j with { Status = RestoreJobStatus.Completed }, default);
        Assert.Equal(ManualStartOutcome.Started, (await launcher.StartNowAsync(configId, starter, default)).Outcome);
    }

    [Fact]
    public async Task A_restore_and_a_backup_starting_together_never_both_pass()
    {
        const int Rounds = 12;
        for (var round = 0; round < Rounds; round++)
        {
            var configId = await CreateConfigAsync();
            var starter = new Starter(Catalog);
            // Two app instances: their own catalog clients over the same tables.
            var claims = new RestoreClaims(new BackupCatalog(Service, Prefix, Time), Time, starter);
            var launcher = new BackupLauncher(Catalog, Time, NullLogger<BackupLauncher>.Instance);
            var restoreId = RestoreJobsTable.NewId(Time.GetUtcNow());

            using var go = new SemaphoreSlim(0, 3);
            var restore = Task.Run(async () =>
            {
                await go.WaitAsync();
                return await claims.TryClaimAsync(configId, restoreId, default);
            });
            var backups = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                await go.WaitAsync();
                return await launcher.StartNowAsync(configId, starter, default);
            })).ToList();
            go.Release(3);
            var restoreAnswer = await restore;
            var backupAnswers = await Task.WhenAll(backups);

            var backupsStarted = backupAnswers.Count(a => a.Outcome == ManualStartOutcome.Started);
            var restoreClaimed = restoreAnswer is null;
            Assert.True(backupsStarted + (restoreClaimed ? 1 : 0) == 1,
                $"round {round}: restore {(restoreClaimed ? "claimed" : "refused: " + restoreAnswer)}, {backupsStarted} backups started: "
                + string.Join(" | ", backupAnswers.Select(a => $"{a.Outcome} {a.Reason}")));
            if (restoreClaimed)
                Assert.All(backupAnswers, a => Assert.Contains($"A restore of config {configId} is running ({restoreId})", a.Reason, StringComparison.Ordinal));
            else
                Assert.StartsWith($"A backup of config {configId} is running", restoreAnswer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_restore_job_id_is_required_for_a_restore_claim()
    {
        var configId = await CreateConfigAsync();
        var claims = new RestoreClaims(Catalog, Time);
        await Assert.ThrowsAsync<ArgumentException>(() => claims.TryClaimAsync(configId, "7976-manual-job", default));
    }

    private async Task<string?> HoldAsync(string configId, string holder, Starter starter, RestoreClaims claims)
    {
        var launcher = new BackupLauncher(Catalog, Time, NullLogger<BackupLauncher>.Instance);
        switch (holder)
        {
            case "nothing":
                return null;
            case "backup pending":
            case "backup running":
            case "backup completed":
            case "backup failed":
            {
                var started = await launcher.StartNowAsync(configId, starter, default);
                var status = holder switch
                {
                    "backup pending" => JobStatus.Pending,
                    "backup running" => JobStatus.Running,
                    "backup completed" => JobStatus.Completed,
                    _ => JobStatus.Failed,
                };
                await Catalog.Jobs.UpdateAsync(started.Job!.Id, j => j with { Status = status }, default);
                return started.Job.Id;
            }
            case "backup claimed, row not written yet":
            case "backup claimed 3 minutes ago, row never written":
            {
                var slots = await Catalog.Jobs.ReadSlotsAsync(configId, default);
                var id = JobIds.ForManual(configId, Time.GetUtcNow(), "0badc0de");
                Assert.True(await Catalog.Jobs.TryWriteSlotsAsync(slots, [new JobSlotHolder(id, Time.GetUtcNow())], default));
                if (holder.Contains("3 minutes", StringComparison.Ordinal))
                    Time.Advance(TimeSpan.FromMinutes(3));
                return id;
            }
            case "restore pending":
                return await WriteRestoreAsync(configId, claims, RestoreJobStatus.Pending);
            case "restore running":
                return await WriteRestoreAsync(configId, claims, RestoreJobStatus.Running);
            case "restore rolled back":
                return await WriteRestoreAsync(configId, claims, RestoreJobStatus.RolledBack);
            case "restore claimed, row not written yet":
            case "restore claimed 3 minutes ago, row never written":
            {
                var id = RestoreJobsTable.NewId(Time.GetUtcNow());
                Assert.Null(await claims.TryClaimAsync(configId, id, default));
                if (holder.Contains("3 minutes", StringComparison.Ordinal))
                    Time.Advance(TimeSpan.FromMinutes(3));
                return id;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(holder), holder, null);
        }
    }

    /// <summary>A restore job as the API writes it (claim, then the row), then moved to <paramref name="status"/>.</summary>
    private async Task<string> WriteRestoreAsync(string configId, RestoreClaims claims, RestoreJobStatus status)
    {
        var id = RestoreJobsTable.NewId(Time.GetUtcNow());
        Assert.Null(await claims.TryClaimAsync(configId, id, default));
        Assert.True(await Catalog.RestoreJobs.TryCreateAsync(new RestoreJob
        {
            Id = id,
            ConfigId = configId,
            BackupId = "b1",
            Status = status,
            CreatedAt = Time.GetUtcNow(),
        }, default));
        return id;
    }

    private async Task<string> CreateConfigAsync(BackupSchedule? schedule = null)
    {
        var config = BackupCatalogConfigTests.SampleConfig("site") with { Schedule = schedule ?? new BackupSchedule { Frequency = "manual" } };
        return (await Catalog.Configs.CreateAsync(config, default)).Id;
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
            list.Add(item);
        return list;
    }

    /// <summary>
    /// Stands in for the Durable client: every job it started has an orchestration (left pending, as one that has not
    /// run its first step yet); restore jobs written by the test count as started too.
    /// </summary>
    private sealed class Starter(BackupCatalog catalog) : IBackupStarter, IRestoreStarter
    {
        private readonly ConcurrentQueue<string> _started = new();

        public IReadOnlyList<string> Started => [.. _started];

        public async Task<bool> ExistsAsync(string instanceId, CancellationToken cancellationToken)
            => _started.Contains(instanceId) || await catalog.RestoreJobs.GetAsync(instanceId, cancellationToken) is not null;

        public Task StartAsync(BackupRequest request, CancellationToken cancellationToken)
        {
            _started.Enqueue(request.JobId);
            return Task.CompletedTask;
        }

        public Task StartAsync(RestoreJobRequest request, CancellationToken cancellationToken)
        {
            _started.Enqueue(request.RestoreJobId);
            return Task.CompletedTask;
        }

        public Task RequestCancelAsync(string restoreJobId, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
