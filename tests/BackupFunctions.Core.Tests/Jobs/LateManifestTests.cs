using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// A job the watchdog has failed is over: a step of it that is still running (the orchestration was terminated, its
/// activity was not) cannot commit the backup afterwards. Real engine on Azurite, local destinations.
/// </summary>
public sealed class LateManifestTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task A_step_still_running_when_the_watchdog_fails_its_job_writes_no_manifest_and_records_no_backup()
    {
        var (config, plan, key, files) = await ArchivedRunAsync("late");
        var instances = new FakeJobInstances();
        instances.States[plan.JobId] = JobInstanceState.Active;

        // The manifest step hangs (a destination that stopped answering): no progress for longer than the watchdog allows.
        _engine.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal([plan.JobId], await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None));
        var failed = (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, failed.Status);

        // The hung activity wakes up and carries on with the manifest, then the record: both are refused.
        var runner = _engine.Get<BackupRunner>();
        await Assert.ThrowsAnyAsync<Exception>(() => runner.WriteManifestAsync(new ManifestInput(plan, key, null, files), CancellationToken.None));
        Assert.DoesNotContain(_engine.FilesOf(config), f => f.EndsWith(ObjectNames.Manifest, StringComparison.Ordinal));
        Assert.Empty(_engine.FilesOf(config));

        var manifest = new ManifestResult(plan.Folder + ObjectNames.Manifest, new string('0', 64), 100, _engine.Clock.GetUtcNow(),
            new Core.Format.BackupStatistics());
        await Assert.ThrowsAnyAsync<Exception>(() => runner.RecordBackupAsync(
            new RecordInput(plan, manifest, [new CopyOutcome(0, null, null), new CopyOutcome(1, null, null)]), CancellationToken.None));
        Assert.Null(await _engine.Catalog.Backups.GetAsync(plan.BackupId, CancellationToken.None));
        var after = (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, after.Status);
        Assert.Contains("Watchdog", after.Error, StringComparison.Ordinal);
        Assert.Null(after.BackupId);
    }

    [Fact]
    public async Task A_manifest_put_in_flight_while_the_watchdog_fails_the_job_is_removed_again_and_the_step_refused()
    {
        var (config, plan, key, files) = await ArchivedRunAsync("inflight");
        var instances = new FakeJobInstances();
        instances.States[plan.JobId] = JobInstanceState.Active;
        // The primary's manifest put hangs (past every check before it) until the watchdog is done with the job.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new BackupRunner(_engine.Catalog, _engine.Get<StorageLocations>(), _engine.Get<BackupCopies>(),
            _engine.Get<IKeyEncryptionKey>(), _engine.Get<BackupWriter>(), _engine.Get<Core.Sources.DatabaseConnections>(), _engine.Get<Core.Sources.Sites.SiteSources>(), _engine.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BackupRunner>.Instance, _engine.Get<JobLogs>(), _engine.Get<FailureAlerts>(),
            _engine.Get<BackupMetrics>(), jobs: _engine.Get<JobOptions>())
        {
            WrapStore = (_, store) => new HeldManifestStore(store, reached, held.Task),
        };

        var write = runner.WriteManifestAsync(new ManifestInput(plan, key, null, files), CancellationToken.None);
        await reached.Task.WaitAsync(TimeSpan.FromMinutes(1));
        _engine.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal([plan.JobId], await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None));
        Assert.Empty(_engine.FilesOf(config));
        held.SetResult();

        // The put lands after the cleanup; the step finds its job ended, removes the manifest and fails.
        await Assert.ThrowsAsync<JobCancelledException>(() => write);
        Assert.Empty(_engine.FilesOf(config));
        Assert.Null(await _engine.Catalog.Backups.GetAsync(plan.BackupId, CancellationToken.None));
        var job = (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.True(job.CancelRequested);
        Assert.Contains("no progress for 31 minutes", job.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replica_manifest_put_that_lands_after_the_cancel_and_its_cleanup_is_removed_again()
    {
        var (config, plan, key, files) = await ArchivedRunAsync("replica");
        var runner = _engine.Get<BackupRunner>();
        await runner.WriteManifestAsync(new ManifestInput(plan, key, null, files), CancellationToken.None);
        // The replica's manifest put hangs and, like a put stuck in the network, does not notice the step's cancellation.
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var copies = new BackupCopies(_engine.Catalog, _engine.Get<StorageLocations>(), _engine.Get<Core.Verification.QuickVerifier>(), _engine.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<BackupCopies>.Instance, _engine.Get<JobOptions>())
        {
            WrapStore = (destination, store) => destination == config.Config.Replicas[0] ? new HeldManifestStore(store, reached, held.Task) : store,
        };

        var copy = copies.ReplicateAsync(new ReplicaInput(plan, 1), CancellationToken.None);
        await reached.Task.WaitAsync(TimeSpan.FromMinutes(1));
        var instances = new FakeJobInstances();
        instances.States[plan.JobId] = JobInstanceState.Active;
        await _engine.Get<JobCancellation>().RequestAsync(plan.JobId, instances, CancellationToken.None);
        // The step's watch sees the flag; the orchestration gives up waiting and cleans up, as after StopGrace.
        _engine.Clock.Advance(TimeSpan.FromSeconds(3));
        await runner.FailJobAsync(new FailureInput(plan.JobId, JobCancellation.Reason, plan) { Cancelled = true }, CancellationToken.None);
        Assert.Empty(_engine.FilesOf(config));
        held.SetResult();

        await Assert.ThrowsAsync<JobCancelledException>(() => copy);
        Assert.Empty(_engine.FilesOf(config));
        Assert.Equal(JobStatus.Cancelled, (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task A_failed_job_keeps_its_status_when_its_orchestration_reports_the_stop_late()
    {
        var (_, plan, _, _) = await ArchivedRunAsync("verdict");
        var instances = new FakeJobInstances();
        instances.States[plan.JobId] = JobInstanceState.Ended;
        _engine.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal([plan.JobId], await _engine.Get<JobWatchdog>().RunAsync(instances, CancellationToken.None));

        // A step that saw the watchdog's flag stops as cancelled; the late FailJob of its orchestration changes nothing.
        await _engine.Get<BackupRunner>().FailJobAsync(new FailureInput(plan.JobId, JobCancellation.Reason, plan) { Cancelled = true }, CancellationToken.None);

        var job = (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!;
        Assert.Equal(JobStatus.Failed, job.Status);
        Assert.Contains("orchestration ended", job.Error, StringComparison.Ordinal);
    }

    /// <summary>A store whose manifest puts wait for <paramref name="release"/> before they write, whatever their token says.</summary>
    private sealed class HeldManifestStore(IBackupStore inner, TaskCompletionSource reached, Task release) : ForwardingBackupStore(inner)
    {
        public override async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            if (name.EndsWith(ObjectNames.Manifest, StringComparison.Ordinal))
            {
                reached.TrySetResult();
                // Deaf to the token on purpose: a put stuck in the network that completes whatever the caller wanted.
                await release;
                cancellationToken = CancellationToken.None;
            }
            await base.PutAsync(name, content, cancellationToken);
        }
    }

    /// <summary>A job started for real, its key prepared and the site archived into both destinations.</summary>
    private async Task<(StoredBackupConfig Config, BackupPlan Plan, PreparedKey? Key, FilesPartResult Files)> ArchivedRunAsync(string name)
    {
        var config = await _engine.CreateConfigAsync(name);
        var site = config.Config.Files!.Root;
        foreach (var component in new[] { "uploads", "themes", "plugins", "config" })
        {
            Directory.CreateDirectory(Path.Combine(site, component));
            await File.WriteAllTextAsync(Path.Combine(site, component, "file.txt"), $"{component} of {name}");
        }
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Pending, TimeSpan.Zero, started: false);
        var runner = _engine.Get<BackupRunner>();
        var plan = await runner.StartJobAsync(new BackupRequest(job.Id, config.Id), CancellationToken.None);
        var key = await runner.PrepareKeyAsync(plan, CancellationToken.None);
        var files = await runner.ArchiveFilesAsync(new PartInput(plan, key), CancellationToken.None);
        Assert.NotEmpty(_engine.FilesOf(config));
        return (config, plan, key, files);
    }
}
