using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// The backup's type on the job, in the manifest and in the catalog: what the config's parts make it when the job
/// starts, what the manifest says in the end (an incremental's base, references and comparison included). Real engine
/// on Azurite, local destinations.
/// </summary>
public sealed class BackupTypeJobTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task A_files_only_config_makes_a_files_backup_on_the_job_in_the_manifest_and_in_the_catalog()
    {
        var config = await _engine.CreateConfigAsync("filesonly");
        var site = config.Config.Files!.Root;
        Directory.CreateDirectory(Path.Combine(site, "uploads"));
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "a.txt"), "a");
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Pending, TimeSpan.Zero, started: false);
        var runner = _engine.Get<BackupRunner>();

        var plan = await runner.StartJobAsync(new BackupRequest(job.Id, config.Id), CancellationToken.None);
        Assert.Equal(BackupTypes.Files, (await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!.Type);

        var key = await runner.PrepareKeyAsync(plan, CancellationToken.None);
        var files = await runner.ArchiveFilesAsync(new PartInput(plan, key), CancellationToken.None);
        var manifest = await runner.WriteManifestAsync(new ManifestInput(plan, key, null, files), CancellationToken.None);
        Assert.Equal(BackupTypes.Files, manifest.Type);
        var store = await _engine.Get<StorageLocations>().OpenAsync(plan.Config.Storage, CancellationToken.None);
        var (stored, _) = await StoredManifest.ReadAsync(store, plan.Folder, CancellationToken.None);
        Assert.Equal(BackupTypes.Files, stored.Manifest.Type);

        var record = await runner.RecordBackupAsync(
            new RecordInput(plan, manifest, [new CopyOutcome(0, null, null), new CopyOutcome(1, null, null)]), CancellationToken.None);

        Assert.Equal(BackupTypes.Files, record.Type);
        Assert.Empty(record.ReferencedBackupIds);
        Assert.Null(record.Comparison);
        Assert.Equal(BackupTypes.Files, (await _engine.Catalog.Backups.GetAsync(plan.BackupId, CancellationToken.None))!.Type);
        var done = (await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal(BackupTypes.Files, done.Type);
        Assert.Null(done.BaseBackupId);
    }

    [Fact]
    public async Task An_incremental_is_recorded_with_its_base_references_and_counts_and_its_job_says_so()
    {
        var config = await _engine.CreateConfigAsync("incr");
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Pending, TimeSpan.Zero, started: false);
        var runner = _engine.Get<BackupRunner>();
        var plan = await runner.StartJobAsync(new BackupRequest(job.Id, config.Id), CancellationToken.None);
        // What planning the files does for an incremental run (the writer's PlanBackup step).
        await _engine.Catalog.Jobs.UpdateAsync(job.Id, j => j with { Type = BackupTypes.Incremental, BaseBackupId = "base-2" }, CancellationToken.None);
        // A retried start keeps what planning decided.
        await runner.StartJobAsync(new BackupRequest(job.Id, config.Id), CancellationToken.None);
        Assert.Equal(BackupTypes.Incremental, (await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!.Type);

        var statistics = new BackupStatistics { Files = 10, AddedFiles = 1, ModifiedFiles = 2, UnchangedFiles = 7, DeletedFiles = 3 };
        var manifest = new ManifestResult(plan.Folder + ObjectNames.Manifest, new string('0', 64), 100, _engine.Clock.GetUtcNow(), statistics,
            BackupTypes.Incremental, "base-2", ["base-2", "full-1"]);
        var record = await runner.RecordBackupAsync(
            new RecordInput(plan, manifest, [new CopyOutcome(0, null, null), new CopyOutcome(1, null, null)]), CancellationToken.None);

        var read = (await _engine.Catalog.Backups.GetAsync(record.Id, CancellationToken.None))!;
        Assert.Equal(BackupTypes.Incremental, read.Type);
        Assert.Equal("base-2", read.BaseBackupId);
        Assert.Equal(["base-2", "full-1"], read.ReferencedBackupIds);
        Assert.Equal(new IncrementalCounts(1, 2, 7, 3), read.Comparison);
        var done = (await _engine.Catalog.Jobs.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal(BackupTypes.Incremental, done.Type);
        Assert.Equal("base-2", done.BaseBackupId);
        Assert.Equal(new IncrementalCounts(1, 2, 7, 3), done.Comparison);
    }
}
