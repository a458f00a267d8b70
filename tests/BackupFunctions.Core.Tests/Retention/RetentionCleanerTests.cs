using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Secrets;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Retention;

/// <summary>
/// The cleaner against Azurite (catalog tables, primary blob container) and a local folder (replica): backups are
/// seeded as rows plus objects in both destinations, then planned, removed, interrupted and resumed.
/// </summary>
public sealed class RetentionCleanerTests : IAsyncLifetime, IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _folder = new("bf-retention-");
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly string _prefix = "r" + Guid.NewGuid().ToString("N")[..10];
    private readonly StorageDestination _primary = new() { Type = "azureBlob", Container = TestEnvironment.UniqueName("ret-"), Prefix = "site" };
    private readonly StorageDestination _replica = new() { Type = "local", Path = "replica", Prefix = "site" };
    private BackupCatalog _catalog = null!;
    private StorageLocations _stores = null!;

    public async Task InitializeAsync()
    {
        _catalog = new BackupCatalog(new TableServiceClient(TestEnvironment.AzuriteConnectionString), _prefix, _clock);
        await _catalog.EnsureCreatedAsync(default);
        var options = Options.Create(new StorageOptions
        {
            BlobConnection = TestEnvironment.AzuriteConnectionString,
            LocalRoot = _folder.Combine("stores"),
            Retries = 0,
            RetryDelaySeconds = 0.1,
        });
        Directory.CreateDirectory(options.Value.LocalRoot);
        _stores = new StorageLocations(_catalog, new BackupStoreFactory(options, _clock),
            new SecretSealer(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), TestSecretReferences.None),
            new StorageProbe(_clock), Core.Network.NetworkPolicy.InternalAllowed);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Plans_in_the_configs_time_zone_changes_nothing_in_a_dry_run_and_then_removes_everywhere()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 2 }, "Europe/Berlin");
        // 22:00 and 23:30 UTC on 19 November are 23:00 on the 19th and 00:30 on the 20th in Berlin: two daily buckets.
        var lateEvening = await SeedAsync(config, At(19, 22, 0));
        var afterMidnight = await SeedAsync(config, At(19, 23, 30));
        var noon = await SeedAsync(config, At(19, 12, 0));
        var older = await SeedAsync(config, At(15, 22, 0));
        var suspect = await SeedAsync(config, At(18, 22, 0), BackupStatuses.VerificationFailed);
        var other = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        var othersBackup = await SeedAsync(other, At(1, 22, 0));

        var cleaner = Cleaner();
        var plan = (await cleaner.PlanAsync(config.Id, default))!;
        Assert.False(plan.Applied);
        Assert.Equal([afterMidnight, lateEvening, noon, suspect, older], plan.Backups.Select(b => b.BackupId));
        Assert.Equal([RetentionEntry.Keep, RetentionEntry.Keep, RetentionEntry.Remove, RetentionEntry.Remove, RetentionEntry.Remove], plan.Backups.Select(b => b.Decision));
        Assert.Contains("daily 2026-11-20", plan.Backups[0].Reasons);
        Assert.Contains("newest successful backup", plan.Backups[0].Reasons);
        Assert.Contains("daily 2026-11-19", plan.Backups[1].Reasons);
        Assert.Contains("not a successful backup", plan.Backups[3].Reasons);
        Assert.Equal((2, 3, 3 * 300L), (plan.Keep, plan.Remove, plan.RemoveBytes));
        Assert.All(plan.Backups, b => Assert.Null(b.Outcome));
        foreach (var id in new[] { afterMidnight, lateEvening, noon, older, suspect })
            await AssertPresentAsync(id);

        var report = (await cleaner.ApplyAsync(config.Id, default))!;
        Assert.True(report.Applied);
        Assert.Equal(3, report.Removed);
        Assert.Equal(0, report.Failed);
        foreach (var id in new[] { noon, older, suspect })
        {
            Assert.Equal(RetentionEntry.Removed, report.Backups.Single(b => b.BackupId == id).Outcome);
            await AssertGoneAsync(id);
        }
        foreach (var id in new[] { afterMidnight, lateEvening })
            await AssertPresentAsync(id);
        // Another config's backup in the same destinations and catalog is never touched.
        await AssertPresentAsync(othersBackup);

        // Nothing left to do: a second run removes nothing.
        Assert.Equal(0, (await cleaner.ApplyAsync(config.Id, default))!.Removed);
    }

    [Fact]
    public async Task The_newest_successful_backup_stays_even_when_every_rule_would_remove_it()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepWithin = TimeSpan.FromHours(1), MaxTotalBackups = 1 }, "UTC");
        var newestSuccessful = await SeedAsync(config, At(10, 2, 0));
        var newerButSuspect = await SeedAsync(config, At(11, 2, 0), BackupStatuses.VerificationFailed);
        var oldest = await SeedAsync(config, At(9, 2, 0), BackupStatuses.CompletedWithWarnings);

        var report = (await Cleaner().ApplyAsync(config.Id, default))!;

        var kept = Assert.Single(report.Backups, b => b.Decision == RetentionEntry.Keep);
        Assert.Equal(newestSuccessful, kept.BackupId);
        Assert.Equal(["newest successful backup"], kept.Reasons);
        await AssertPresentAsync(newestSuccessful);
        await AssertGoneAsync(newerButSuspect);
        await AssertGoneAsync(oldest);
    }

    [Fact]
    public async Task A_backup_a_pending_or_running_restore_reads_is_kept_until_the_restore_has_ended()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { MaxTotalBackups = 1 }, "UTC");
        var newest = await SeedAsync(config, At(11, 2, 0));
        var restored = await SeedAsync(config, At(10, 2, 0));
        var other = await SeedAsync(config, At(9, 2, 0));
        var restoreJob = new RestoreJob
        {
            Id = RestoreJobsTable.NewId(Now),
            ConfigId = config.Id,
            BackupId = restored,
            Status = RestoreJobStatus.Running,
            CreatedAt = Now,
        };
        Assert.True(await _catalog.RestoreJobs.TryCreateAsync(restoreJob, default));

        var report = (await Cleaner().ApplyAsync(config.Id, default))!;

        var kept = Assert.Single(report.Backups, b => b.BackupId == restored);
        Assert.Equal(RetentionEntry.Keep, kept.Decision);
        Assert.Contains(kept.Reasons, r => r.Contains(restoreJob.Id, StringComparison.Ordinal));
        await AssertPresentAsync(newest);
        await AssertPresentAsync(restored);
        await AssertGoneAsync(other);

        // Once the restore has ended, the backup is planned like any other again.
        await _catalog.RestoreJobs.UpdateAsync(restoreJob.Id, j => j with { Status = RestoreJobStatus.Completed, CompletedAt = Now }, default);
        report = (await Cleaner().ApplyAsync(config.Id, default))!;
        Assert.Equal(RetentionEntry.Remove, Assert.Single(report.Backups, b => b.BackupId == restored).Decision);
        await AssertGoneAsync(restored);
    }

    [Fact]
    public async Task An_interrupted_removal_stays_deleting_and_is_finished_first_on_the_next_run_whatever_the_plan_says()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        var newest = await SeedAsync(config, At(19, 2, 0));
        var first = await SeedAsync(config, At(18, 2, 0));
        var second = await SeedAsync(config, At(17, 2, 0));

        // The replica's deletes fail: the first backup loses its primary copy and stays deleting; the second, whose
        // replica is known to be down now, is not even started.
        var report = (await Cleaner(replicaDown: true).ApplyAsync(config.Id, default))!;
        var failed = report.Backups.Single(b => b.BackupId == first);
        Assert.Equal(RetentionEntry.Failed, failed.Outcome);
        Assert.Contains("replica is down", failed.Error, StringComparison.Ordinal);
        var row = (await _catalog.Backups.GetAsync(first, default))!;
        Assert.Equal(BackupStatuses.Deleting, row.Status);
        Assert.Contains("replica is down", row.DeletionError, StringComparison.Ordinal);
        Assert.Empty(await ObjectsAsync(_primary, first));
        Assert.NotEmpty(await ObjectsAsync(_replica, first));
        Assert.StartsWith("not started", report.Backups.Single(b => b.BackupId == second).Error, StringComparison.Ordinal);
        Assert.Equal(BackupStatuses.Completed, (await _catalog.Backups.GetAsync(second, default))!.Status);
        await AssertPresentAsync(second);

        // The policy changes to keep everything: the half-removed backup is finished anyway, nothing else goes.
        await ReplaceRetentionAsync(config, new RetentionPolicy { KeepDaily = 100 });
        var resumed = (await Cleaner().ApplyAsync(config.Id, default))!;
        var finished = resumed.Backups[0];
        Assert.Equal((first, RetentionEntry.Removed), (finished.BackupId, finished.Outcome));
        Assert.Contains("did not finish", Assert.Single(finished.Reasons), StringComparison.Ordinal);
        await AssertGoneAsync(first);
        await AssertPresentAsync(second);
        await AssertPresentAsync(newest);
        Assert.Equal(1, resumed.Removed);
    }

    [Fact]
    public async Task A_backup_under_a_lock_known_from_the_locations_immutability_is_kept_and_reported()
    {
        var location = await _catalog.StorageLocations.CreateAsync((id, now) => new StorageLocation
        {
            Id = id,
            Name = "locked folder",
            Type = StorageTypes.Local,
            Settings = new Dictionary<string, string> { ["path"] = "locked" },
            Immutability = new ImmutabilityOptions { Enabled = true, Mode = "governance", Days = 30 },
            CreatedAt = now,
        }, default);
        var destination = new StorageDestination { StorageId = location.Id, Prefix = "site" };
        var config = await CreateConfigAsync(new RetentionPolicy { MaxTotalBackups = 1 }, "UTC", destination, replicas: []);
        var newest = await SeedAsync(config, At(19, 2, 0), destinations: [destination]);
        var locked = await SeedAsync(config, At(1, 2, 0), destinations: [destination]);
        var expired = await SeedAsync(config, new DateTimeOffset(2026, 10, 1, 2, 0, 0, TimeSpan.Zero), destinations: [destination]);

        var report = (await Cleaner().ApplyAsync(config.Id, default))!;

        var kept = report.Backups.Single(b => b.BackupId == locked);
        Assert.Equal(RetentionEntry.Keep, kept.Decision);
        Assert.Equal(At(1, 2, 5).AddDays(30), kept.LockedUntil);
        Assert.Contains("locked until 2026-12-01 02:05 UTC (would be removed)", kept.Reasons);
        Assert.Equal(1, report.Locked);
        Assert.Equal(RetentionEntry.Removed, report.Backups.Single(b => b.BackupId == expired).Outcome);
        Assert.NotEmpty(await ObjectsAsync(destination, locked));
        Assert.Empty(await ObjectsAsync(destination, expired));
        Assert.NotEmpty(await ObjectsAsync(destination, newest));
        // Count rules without keepWithin meet such locks: the answer says so.
        Assert.Contains(report.Warnings, w => w.Contains("locked folder", StringComparison.Ordinal) && w.Contains("no keepWithin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_destination_that_refuses_the_delete_with_a_lock_keeps_the_backup_as_it_was()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        await SeedAsync(config, At(19, 2, 0));
        var victim = await SeedAsync(config, At(18, 2, 0));
        var lockEnd = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var cleaner = new RetentionCleaner(_catalog, _stores, _clock, NullLogger<RetentionCleaner>.Instance)
        {
            WrapStore = (destination, store) => destination == _primary ? new LockedStore(store, lockEnd) : store,
        };

        var report = (await cleaner.ApplyAsync(config.Id, default))!;

        var entry = report.Backups.Single(b => b.BackupId == victim);
        Assert.Equal(RetentionEntry.Locked, entry.Outcome);
        Assert.Equal(lockEnd, entry.LockedUntil);
        Assert.Contains(entry.Reasons, r => r.Contains("locked until 2027-01-01 00:00 UTC", StringComparison.Ordinal));
        var row = (await _catalog.Backups.GetAsync(victim, default))!;
        Assert.Equal(BackupStatuses.Completed, row.Status);
        Assert.Null(row.DeletionError);
        await AssertPresentAsync(victim);
        Assert.Equal(0, report.Failed);
    }

    // --- helpers ---

    /// <summary>
    /// The done-when of issue 14: a chain full → 5 incrementals (one a day) under keepDaily 2 keeps every backup a kept
    /// one references, in the catalog and in every destination; an older full nothing references still goes.
    /// </summary>
    [Fact]
    public async Task A_chain_of_a_full_and_five_incrementals_under_keep_daily_2_keeps_every_backup_a_kept_one_references()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 2 }, "UTC");
        var older = await SeedAsync(config, At(10, 2, 0));
        var full = await SeedAsync(config, At(14, 2, 0));
        var chain = new List<string> { full };
        for (var day = 15; day <= 19; day++)
        {
            // Each incremental points into the full and into every incremental since (files changed on each day).
            chain.Add(await SeedAsync(config, At(day, 2, 0), baseId: chain[^1], references: [.. chain]));
        }

        var report = (await Cleaner().ApplyAsync(config.Id, default))!;

        foreach (var id in chain)
        {
            Assert.Equal(RetentionEntry.Keep, report.Backups.Single(b => b.BackupId == id).Decision);
            await AssertPresentAsync(id);
        }
        Assert.Contains($"referenced by {chain[5]}", report.Backups.Single(b => b.BackupId == chain[2]).Reasons);
        Assert.Contains($"referenced by {chain[5]}", report.Backups.Single(b => b.BackupId == full).Reasons);
        Assert.Equal(RetentionEntry.Removed, report.Backups.Single(b => b.BackupId == older).Outcome);
        await AssertGoneAsync(older);
    }

    [Fact]
    public async Task A_backup_only_a_kept_incremental_references_is_kept_though_no_base_is_recorded()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        var referenced = await SeedAsync(config, At(10, 2, 0));
        var unreferenced = await SeedAsync(config, At(11, 2, 0));
        var newest = await SeedAsync(config, At(12, 2, 0), references: [referenced]);

        var report = (await Cleaner().ApplyAsync(config.Id, default))!;

        Assert.Equal([$"referenced by {newest}"], report.Backups.Single(b => b.BackupId == referenced).Reasons);
        await AssertPresentAsync(newest);
        await AssertPresentAsync(referenced);
        await AssertGoneAsync(unreferenced);
    }

    [Fact]
    public async Task An_unfinished_removal_waits_while_a_kept_backup_references_it_and_is_finished_once_none_does()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        var deleting = await SeedAsync(config, At(10, 2, 0), BackupStatuses.Deleting);
        var newest = await SeedAsync(config, At(12, 2, 0), baseId: deleting, references: [deleting]);

        var report = (await Cleaner().ApplyAsync(config.Id, default))!;

        var waiting = report.Backups.Single(b => b.BackupId == deleting);
        Assert.Equal(RetentionEntry.Keep, waiting.Decision);
        Assert.Contains(waiting.Reasons, r => r.Contains($"kept backup {newest} references it", StringComparison.Ordinal));
        Assert.Null(waiting.Outcome);
        await AssertPresentAsync(deleting);
        Assert.Equal(BackupStatuses.Deleting, (await _catalog.Backups.GetAsync(deleting, default))!.Status);

        // The referencing backup goes (a newer full replaces it): the removal is finished.
        await SeedAsync(config, At(13, 2, 0));
        report = (await Cleaner().ApplyAsync(config.Id, default))!;
        Assert.Equal(RetentionEntry.Removed, report.Backups.Single(b => b.BackupId == deleting).Outcome);
        await AssertGoneAsync(deleting);
        await AssertGoneAsync(newest);
    }

    [Fact]
    public async Task A_backup_a_running_job_uses_as_its_base_is_kept_with_what_it_references()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        var full = await SeedAsync(config, At(9, 2, 0));
        var baseOfRun = await SeedAsync(config, At(10, 2, 0), baseId: full, references: [full]);
        var newest = await SeedAsync(config, At(12, 2, 0));
        var job = await CreateRunningJobAsync(config.Id, baseOfRun);

        var report = (await Cleaner().ApplyAsync(config.Id, default))!;

        Assert.Contains(report.Backups.Single(b => b.BackupId == baseOfRun).Reasons,
            r => r.StartsWith($"base of running backup job {job.Id}", StringComparison.Ordinal));
        Assert.Contains($"referenced by {baseOfRun}", report.Backups.Single(b => b.BackupId == full).Reasons);
        foreach (var id in new[] { full, baseOfRun, newest })
            await AssertPresentAsync(id);
        Assert.Equal(0, report.Removed);
    }

    /// <summary>
    /// The race the plan cannot see: a backup run chooses a base after the plan was made. Retention marks the backup
    /// deleting before it removes anything and then asks the catalog again; it sees the job, puts the status back and
    /// keeps the backup whole.
    /// </summary>
    [Fact]
    public async Task A_base_chosen_after_the_plan_was_made_postpones_its_removal_and_leaves_it_whole()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        var chosen = await SeedAsync(config, At(9, 2, 0));
        var removedFirst = await SeedAsync(config, At(10, 2, 0));
        var newest = await SeedAsync(config, At(12, 2, 0));
        BackupJob? job = null;
        var cleaner = new RetentionCleaner(_catalog, _stores, _clock, NullLogger<RetentionCleaner>.Instance)
        {
            // Removals go newest first: while the first one runs, a backup run takes the older one as its base.
            WrapStore = (_, store) =>
            {
                job ??= CreateRunningJobAsync(config.Id, chosen).GetAwaiter().GetResult();
                return store;
            },
        };

        var report = (await cleaner.ApplyAsync(config.Id, default))!;

        Assert.NotNull(job);
        var postponed = report.Backups.Single(b => b.BackupId == chosen);
        Assert.Equal(RetentionEntry.Keep, postponed.Decision);
        Assert.Contains(postponed.Reasons, r => r.Contains($"base of running backup job {job.Id}", StringComparison.Ordinal) && r.EndsWith("removal postponed", StringComparison.Ordinal));
        Assert.Equal(BackupStatuses.Completed, (await _catalog.Backups.GetAsync(chosen, default))!.Status);
        await AssertPresentAsync(chosen);
        await AssertGoneAsync(removedFirst);
        await AssertPresentAsync(newest);
    }

    [Fact]
    public async Task A_base_is_unusable_when_it_or_a_backup_it_references_is_being_deleted_failed_or_gone()
    {
        var config = await CreateConfigAsync(new RetentionPolicy { KeepDaily = 1 }, "UTC");
        var full = await SeedAsync(config, At(9, 2, 0));
        var good = await SeedAsync(config, At(10, 2, 0), baseId: full, references: [full]);
        var deleting = await SeedAsync(config, At(11, 2, 0), BackupStatuses.Deleting);
        var onDeleting = await SeedAsync(config, At(12, 2, 0), baseId: deleting, references: [deleting]);
        var failed = await SeedAsync(config, At(13, 2, 0), BackupStatuses.VerificationFailed);
        var onGone = await SeedAsync(config, At(14, 2, 0), baseId: "gone", references: ["gone"]);

        Assert.Null(await ChainProtection.UnusableBaseReasonAsync(_catalog, good, default));
        Assert.Null(await ChainProtection.UnusableBaseReasonAsync(_catalog, full, default));
        Assert.Equal($"backup {deleting} is being deleted", await ChainProtection.UnusableBaseReasonAsync(_catalog, deleting, default));
        Assert.Equal($"backup {onDeleting} references backup {deleting}, which is being deleted",
            await ChainProtection.UnusableBaseReasonAsync(_catalog, onDeleting, default));
        Assert.Equal($"backup {failed} is verification_failed", await ChainProtection.UnusableBaseReasonAsync(_catalog, failed, default));
        Assert.Equal($"backup {onGone} references backup gone, which is not in the catalog (removed)",
            await ChainProtection.UnusableBaseReasonAsync(_catalog, onGone, default));
    }

    private async Task<BackupJob> CreateRunningJobAsync(string configId, string baseBackupId)
    {
        var job = new BackupJob
        {
            Id = JobIds.ForManual(configId, Now, Guid.NewGuid().ToString("N")[..8]),
            ConfigId = configId,
            Trigger = "manual",
            Status = JobStatus.Running,
            CreatedAt = Now,
            StartedAt = Now,
            Type = BackupTypes.Incremental,
            BaseBackupId = baseBackupId,
        };
        Assert.True(await _catalog.Jobs.TryCreateAsync(job, default));
        return job;
    }

    private RetentionCleaner Cleaner(bool replicaDown = false) => new(_catalog, _stores, _clock, NullLogger<RetentionCleaner>.Instance)
    {
        WrapStore = (destination, store) => replicaDown && destination == _replica ? new FailingDeleteStore(store) : store,
    };

    private static DateTimeOffset At(int novemberDay, int hour, int minute) => new(2026, 11, novemberDay, hour, minute, 0, TimeSpan.Zero);

    private async Task<StoredBackupConfig> CreateConfigAsync(
        RetentionPolicy policy, string timeZone, StorageDestination? storage = null, IReadOnlyList<StorageDestination>? replicas = null)
        => await _catalog.Configs.CreateAsync(new BackupConfig
        {
            Name = "site",
            Files = new FilesSource { Root = "/srv/site" },
            Schedule = new BackupSchedule { Frequency = "manual", TimeZone = timeZone },
            Storage = storage ?? _primary,
            Replicas = replicas ?? [_replica],
            Retention = policy,
        }, default);

    private async Task ReplaceRetentionAsync(StoredBackupConfig stored, RetentionPolicy policy)
    {
        var table = new TableServiceClient(TestEnvironment.AzuriteConnectionString).GetTableClient(_prefix + "BackupConfigs");
        await table.UpsertEntityAsync(CatalogRows.FromConfig(stored with { Config = stored.Config with { Retention = policy } }), TableUpdateMode.Replace);
    }

    /// <summary>A backup as the orchestration leaves it: parts then manifest in every destination, and its row.</summary>
    private async Task<string> SeedAsync(StoredBackupConfig config, DateTimeOffset createdAt, string status = BackupStatuses.Completed,
        IReadOnlyList<StorageDestination>? destinations = null, string? baseId = null, IReadOnlyList<string>? references = null,
        [CallerLineNumber] int line = 0)
    {
        var id = $"{createdAt:yyyyMMddHHmm}-{line}-{Guid.NewGuid().ToString("N")[..6]}";
        destinations ??= [config.Config.Storage, .. config.Config.Replicas];
        var locations = new List<BackupLocation>();
        for (var index = 0; index < destinations.Count; index++)
        {
            var destination = destinations[index];
            var store = await _stores.OpenAsync(destination, default);
            var folder = ObjectNames.BackupFolder(destination.Prefix, id);
            foreach (var name in new[] { ObjectNames.Database, ObjectNames.FirstFilesVolume, ObjectNames.Index, ObjectNames.Manifest })
                await store.PutAsync(folder + name, new MemoryStream(Encoding.UTF8.GetBytes($"{id}/{name}")), default);
            locations.Add(new BackupLocation(destination.Type, store.Location, folder + ObjectNames.Manifest, index == 0)
            {
                Index = index,
                StorageId = destination.StorageId,
                Destination = destination,
            });
        }
        await _catalog.Backups.UpsertAsync(new BackupRecord
        {
            Id = id,
            ConfigId = config.Id,
            JobId = id,
            Status = status,
            Type = baseId is null ? BackupTypes.Full : BackupTypes.Incremental,
            BaseBackupId = baseId,
            ReferencedBackupIds = references ?? [],
            CreatedAt = createdAt,
            CompletedAt = createdAt.AddMinutes(5),
            SizeBytes = 300,
            Checksum = new string('0', 64),
            CompressionRatio = 1,
            Compression = "zstd",
            Encryption = "aes-256-gcm",
            Statistics = new BackupStatistics(),
            Locations = locations,
        }, default);
        return id;
    }

    private async Task<List<string>> ObjectsAsync(StorageDestination destination, string id)
    {
        var store = await _stores.OpenAsync(destination, default);
        var names = new List<string>();
        await foreach (var info in store.ListAsync(ObjectNames.BackupFolder(destination.Prefix, id), default))
            names.Add(info.Name);
        return names;
    }

    private async Task AssertPresentAsync(string id)
    {
        var row = await _catalog.Backups.GetAsync(id, default);
        Assert.NotNull(row);
        foreach (var location in row.Locations)
            Assert.Equal(4, (await ObjectsAsync(location.Destination!, id)).Count);
    }

    private async Task AssertGoneAsync(string id)
    {
        Assert.Null(await _catalog.Backups.GetAsync(id, default));
        Assert.Empty(await ObjectsAsync(_primary, id));
        Assert.Empty(await ObjectsAsync(_replica, id));
    }

    /// <summary>A destination that went down: every delete fails as a network failure would.</summary>
    private sealed class FailingDeleteStore(IBackupStore inner) : ForwardingBackupStore(inner)
    {
        public override Task DeleteAsync(string name, CancellationToken cancellationToken)
            => throw new StoreTransientException("The replica is down (connection refused).");
    }

    /// <summary>A destination with an immutability lock on every object (as S3 Object Lock answers a delete).</summary>
    private sealed class LockedStore(IBackupStore inner, DateTimeOffset until) : ForwardingBackupStore(inner)
    {
        public override Task DeleteAsync(string name, CancellationToken cancellationToken)
            => throw new StoreException($"'{name}' is locked.", StoreFailureKind.Locked);

        public override async Task<StoredObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
            => await base.GetInfoAsync(name, cancellationToken) is { } info ? info with { LockedUntil = until } : null;
    }
}
