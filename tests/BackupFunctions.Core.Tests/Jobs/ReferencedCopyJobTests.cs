using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Tests.Jobs;

/// <summary>
/// A replica added to a config after its full backup: replicating the next incremental copies the full there whole,
/// and the full's catalog row gets that copy, so retention removes it there too and the copy is known. Real engine on
/// Azurite, local destinations.
/// </summary>
public sealed class ReferencedCopyJobTests : IAsyncLifetime
{
    private readonly JobEngine _engine = new();

    public Task InitializeAsync() => _engine.InitializeAsync();

    public Task DisposeAsync() => _engine.DisposeAsync();

    [Fact]
    public async Task The_referenced_backup_copied_to_a_new_replica_is_recorded_there()
    {
        var config = await _engine.CreateConfigAsync("refcopy");
        var primary = config.Config.Storage;
        var chain = new HandMadeChain(new LocalFolderStore(Path.Combine(_engine.LocalRoot, primary.Path!)), primary.Prefix);
        var full = await _engine.CreateJobAsync(config.Id, JobStatus.Completed, TimeSpan.FromDays(1));
        await chain.WriteFullAsync(full.Id);
        var primaryStore = await _engine.Get<StorageLocations>().OpenAsync(primary, default);
        await _engine.Catalog.Backups.UpsertAsync(new BackupRecord
        {
            Id = full.Id,
            ConfigId = config.Id,
            JobId = full.Id,
            CreatedAt = full.CreatedAt,
            CompletedAt = full.CreatedAt,
            SizeBytes = 1,
            Checksum = chain.ManifestSha256[full.Id],
            CompressionRatio = 1,
            Compression = "zstd",
            Encryption = "aes-256-gcm",
            Statistics = new BackupStatistics(),
            // Made when the config had no replica yet.
            Locations = [new BackupLocation("local", primaryStore.Location, chain.FolderOf(full.Id) + ObjectNames.Manifest, Primary: true)
            {
                Index = 0,
                Destination = primary,
            }],
        }, default);
        var job = await _engine.CreateJobAsync(config.Id, JobStatus.Running, TimeSpan.Zero);
        await chain.WriteIncrementalAsync(job.Id, full.Id);
        var plan = new BackupPlan(job.Id, job.Id, config.Id, config.Config, job.StartedAt!.Value);

        var result = await _engine.Get<BackupCopies>().ReplicateAsync(new ReplicaInput(plan, 1), default);

        Assert.Equal([full.Id], result.CopiedReferences);
        var row = (await _engine.Catalog.Backups.GetAsync(full.Id, default))!;
        var copy = Assert.Single(row.Locations, l => l.Index == 1);
        Assert.Equal("ok", copy.Status);
        Assert.False(copy.Primary);
        Assert.Equal(config.Config.Replicas[0], copy.Destination);
        Assert.Equal(plan.FolderIn(1).Replace(job.Id, full.Id, StringComparison.Ordinal) + ObjectNames.Manifest, copy.ManifestName);
        Assert.Equal(BackupStatuses.Completed, row.Status);
        var replica = await _engine.Get<StorageLocations>().OpenAsync(config.Config.Replicas[0], default);
        var verification = await new QuickVerifier(TimeProvider.System).VerifyAsync(
            replica, copy.ManifestName[..^ObjectNames.Manifest.Length], row.Checksum, default);
        Assert.True(verification.Ok, string.Join("; ", verification.Problems));

        // Copied again (a retried step): the row keeps one copy there.
        await _engine.Get<BackupCopies>().ReplicateAsync(new ReplicaInput(plan, 1), default);
        Assert.Single((await _engine.Catalog.Backups.GetAsync(full.Id, default))!.Locations, l => l.Index == 1);
    }
}
