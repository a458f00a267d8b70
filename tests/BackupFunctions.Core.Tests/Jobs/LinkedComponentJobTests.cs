using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// A site whose uploads folder is a symbolic link to a mounted volume: the backup stores the link, not what it points
/// to. The job still completes (no warning that changes its status, no alert), but its row and its log say so, as
/// they do for files that change while archived. Real engine on Azurite, local destinations.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LinkedComponentJobTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();
    private readonly TempFolder _volume = new("bf-volume-");

    public Task InitializeAsync() => _engine.InitializeAsync();

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _volume.Dispose();
    }

    [Fact]
    public async Task A_component_that_is_a_link_is_named_in_the_job_row_and_log_and_the_job_completes()
    {
        var config = await _engine.CreateConfigAsync("linked");
        var site = config.Config.Files!.Root;
        await File.WriteAllTextAsync(Path.Combine(_volume.Path, "photo.jpg"), "on the volume");
        Directory.CreateDirectory(site);
        Directory.CreateSymbolicLink(Path.Combine(site, "uploads"), _volume.Path);
        foreach (var component in new[] { "themes", "plugins", "config" })
        {
            Directory.CreateDirectory(Path.Combine(site, component));
            await File.WriteAllTextAsync(Path.Combine(site, component, "file.txt"), component);
        }
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Pending, TimeSpan.Zero, started: false);
        var runner = _engine.Get<BackupRunner>();
        var plan = await runner.StartJobAsync(new BackupRequest(job.Id, config.Id), CancellationToken.None);
        var key = await runner.PrepareKeyAsync(plan, CancellationToken.None);

        var files = await runner.ArchiveFilesAsync(new PartInput(plan, key), CancellationToken.None);

        Assert.Equal([new LinkedComponent("uploads", _volume.Path)], files.LinkedComponents);
        var row = (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!;
        Assert.Equal([new LinkedComponent("uploads", _volume.Path)], row.LinkedComponents);
        Assert.Equal(1, row.LinkedComponentCount);
        Assert.Empty(row.ChangedFiles);
        var logged = (await _engine.Get<JobLogs>().ListAsync(plan.JobId, 100, null, CancellationToken.None)).Items;
        var warning = Assert.Single(logged, e => e.Message.StartsWith("Component is a symbolic link", StringComparison.Ordinal));
        Assert.Equal(JobLogLevel.Warning, warning.Level);
        Assert.Equal("uploads", warning.Context!["component"]!.GetValue<string>());
        Assert.Equal(_volume.Path, warning.Context["target"]!.GetValue<string>());

        // The rest of the run: the job completes as it would without the link, keeping the note.
        var manifest = await runner.WriteManifestAsync(new ManifestInput(plan, key, null, files), CancellationToken.None);
        await runner.RecordBackupAsync(
            new RecordInput(plan, manifest, [new CopyOutcome(0, null, null), new CopyOutcome(1, null, null)]), CancellationToken.None);
        var done = (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!;
        Assert.Equal(JobStatus.Completed, done.Status);
        Assert.Empty(done.Warnings);
        Assert.Equal([new LinkedComponent("uploads", _volume.Path)], done.LinkedComponents);
    }

    [Fact]
    public async Task A_job_without_linked_components_has_none_in_its_row_or_log()
    {
        var config = await _engine.CreateConfigAsync("plain");
        var site = config.Config.Files!.Root;
        Directory.CreateDirectory(Path.Combine(site, "uploads"));
        await File.WriteAllTextAsync(Path.Combine(site, "uploads", "a.jpg"), "a");
        File.CreateSymbolicLink(Path.Combine(site, "uploads", "shared"), _volume.Path);
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Pending, TimeSpan.Zero, started: false);
        var runner = _engine.Get<BackupRunner>();
        var plan = await runner.StartJobAsync(new BackupRequest(job.Id, config.Id), CancellationToken.None);

        await runner.ArchiveFilesAsync(new PartInput(plan, await runner.PrepareKeyAsync(plan, CancellationToken.None)), CancellationToken.None);

        var row = (await _engine.Catalog.Jobs.GetAsync(plan.JobId, CancellationToken.None))!;
        Assert.Empty(row.LinkedComponents);
        Assert.Equal(0, row.LinkedComponentCount);
        var logged = (await _engine.Get<JobLogs>().ListAsync(plan.JobId, 100, null, CancellationToken.None)).Items;
        Assert.DoesNotContain(logged, e => e.Level == JobLogLevel.Warning);
    }
}
