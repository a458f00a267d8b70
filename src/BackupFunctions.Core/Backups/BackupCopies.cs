using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Replication;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The steps after the commit: copy the backup from the primary to each replica, verify every copy, and retry
/// the copies that failed. Each step is idempotent (a copy rewrites the same objects; a verification only reads).
/// </summary>
public sealed class BackupCopies(
    BackupCatalog catalog,
    StorageLocations stores,
    QuickVerifier verifier,
    TimeProvider time,
    ILogger<BackupCopies> logger,
    JobOptions? jobs = null)
{
    private readonly TimeSpan _watchInterval = (jobs ?? new JobOptions()).ProgressInterval;

    /// <summary>Puts a store around each destination a copy writes to; tests hold a put in flight through it.</summary>
    internal Func<Configs.StorageDestination, IBackupStore, IBackupStore> WrapStore { get; init; } = (_, store) => store;

    /// <summary>Streams the backup from the primary to replica <see cref="ReplicaInput.Index"/> (1…), manifest last.</summary>
    public async Task<ReplicationResult> ReplicateAsync(ReplicaInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = input.Plan;
        if (input.Index < 1 || input.Index > plan.Config.Replicas.Count)
            throw new ArgumentOutOfRangeException(nameof(input), input.Index, "A replica index is 1 to the number of replicas.");
        await catalog.Jobs.UpdateAsync(plan.JobId, j => j with { Progress = JobProgressMath.StartStep(j.Progress, BackupSteps.Replicate, BackupSteps.Total) }, cancellationToken);
        var source = await stores.OpenAsync(plan.Destination(0), cancellationToken);
        var target = WrapStore(plan.Destination(input.Index), await stores.OpenAsync(plan.Destination(input.Index), cancellationToken));
        // Under the job's watch: heartbeats while a large copy runs, and a cancel stops it. The copy's manifest is a
        // commit like the primary's: refused once the job has ended (and removed again if it landed late).
        var result = await JobProgressReporter.WatchAsync(catalog, plan.JobId, time, _watchInterval, logger,
            (_, ct) => CommitGuard.CommitAsync(catalog, plan.JobId, plan.BackupId, target, plan.FolderIn(input.Index) + ObjectNames.Manifest, time, logger,
                (beforeManifest, token) => BackupReplicator.CopyAsync(source, plan.FolderIn(0), target, plan.FolderIn(input.Index), token, beforeManifest), ct),
            cancellationToken);
        logger.LogInformation("Backup {BackupId}: copied {Objects} objects ({Bytes} bytes) to {Location} in {Seconds} s",
            plan.BackupId, result.Objects, result.Bytes, target.Location, result.Seconds);
        foreach (var referenced in result.CopiedReferences)
            await RecordReferencedCopyAsync(plan, input.Index, target.Location, referenced, cancellationToken);
        return result;
    }

    /// <summary>
    /// A backup the replicated incremental references was copied whole to replica <paramref name="index"/>: its row
    /// gets that copy (made, or added when it had none there), so retention removes it there too when its time comes
    /// and a restore may start from it.
    /// </summary>
    private async Task RecordReferencedCopyAsync(BackupPlan plan, int index, string location, string backupId, CancellationToken cancellationToken)
    {
        var destination = plan.Destination(index);
        var manifestName = ObjectNames.BackupFolder(destination.Prefix, backupId) + ObjectNames.Manifest;
        var found = await stores.FindAsync(destination, cancellationToken);
        logger.LogInformation("Backup {BackupId}: the referenced backup {Referenced} was missing or incomplete at {Location} and was copied there whole",
            plan.BackupId, backupId, location);
        try
        {
            await catalog.Backups.UpdateAsync(backupId, record =>
            {
                var same = record.Locations.FirstOrDefault(l => l.ManifestName == manifestName && l.Destination is { } d && SameStore(d, destination));
                var made = new BackupLocation(found?.Type ?? destination.Type, location, manifestName, Primary: false)
                {
                    Index = same?.Index ?? (record.Locations.Count == 0 ? 1 : record.Locations.Max(l => l.Index) + 1),
                    StorageId = destination.StorageId,
                    Destination = destination,
                };
                var locations = same is null
                    ? [.. record.Locations, made]
                    : record.Locations.Select(l => l == same ? made : l).ToList();
                return record with { Locations = locations, Status = record.Status == BackupStatuses.Deleting ? record.Status : StatusOf(locations) };
            }, cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            // Not in the catalog (made by backupctl, or its row is gone): the copy serves the incremental all the same.
            logger.LogWarning("Backup {BackupId}: the referenced backup {Referenced} copied to {Location} has no catalog row to record the copy in",
                plan.BackupId, backupId, location);
        }
    }

    private static bool SameStore(Configs.StorageDestination a, Configs.StorageDestination b)
        => a.StorageId is not null || b.StorageId is not null
            ? a.StorageId == b.StorageId && a.Prefix == b.Prefix
            : a.Type == b.Type && a.Container == b.Container && a.Path == b.Path && a.Prefix == b.Prefix;

    /// <summary>
    /// Removes what a failed copy (or a failed or cancelled job) left in a destination: without its manifest it is
    /// garbage. That includes the temporary objects of the run's interrupted uploads: the run is over, so none of them
    /// is still being written. Safe to repeat.
    /// </summary>
    public async Task RemoveCopyAsync(ReplicaInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var store = await stores.OpenAsync(input.Plan.Destination(input.Index), cancellationToken);
        var folder = input.Plan.FolderIn(input.Index);
        var names = new List<string>();
        await foreach (var info in store.ListAsync(folder, cancellationToken))
            names.Add(info.Name);
        // The manifest goes first, so an interrupted cleanup never leaves a manifest without its parts.
        foreach (var name in names.OrderBy(n => n.EndsWith(ObjectNames.Manifest, StringComparison.Ordinal) ? 0 : 1))
        {
            try
            {
                await store.DeleteAsync(name, cancellationToken);
            }
            catch (StoreException ex) when (ex.Kind == StoreFailureKind.Locked)
            {
                // An immutable destination keeps what it was given until the lock ends: report, never force.
                logger.LogWarning("Backup {BackupId}: {Name} at {Location} is locked and stays until its lock ends: {Error}",
                    input.Plan.BackupId, name, store.Location, ex.Message);
            }
        }
        await RemoveTemporariesAsync(store, folder, input.Plan.BackupId, cancellationToken);
    }

    /// <summary>
    /// Removes the temporary objects of a finished run's interrupted uploads from copy <see cref="ReplicaInput.Index"/>
    /// (a completed backup's folder holds one when a step's first attempt died mid-put and its retry succeeded).
    /// </summary>
    /// <returns>How many were removed.</returns>
    public async Task<int> RemoveTemporariesAsync(ReplicaInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var store = await stores.OpenAsync(input.Plan.Destination(input.Index), cancellationToken);
        return await RemoveTemporariesAsync(store, input.Plan.FolderIn(input.Index), input.Plan.BackupId, cancellationToken);
    }

    private async Task<int> RemoveTemporariesAsync(IBackupStore store, string folder, string backupId, CancellationToken cancellationToken)
    {
        var names = new List<(string Name, long Size)>();
        await foreach (var info in store.ListTemporaryAsync(folder, cancellationToken))
            names.Add((info.Name, info.Size));
        foreach (var (name, _) in names)
            await store.DeleteTemporaryAsync(name, cancellationToken);
        if (names.Count > 0)
        {
            logger.LogInformation("Backup {BackupId}: removed {Count} temporary objects ({Bytes} bytes) of interrupted uploads from {Location}",
                backupId, names.Count, names.Sum(n => n.Size), store.Location);
        }
        return names.Count;
    }

    /// <summary>Quick verification of copy <see cref="VerifyInput.Index"/>: sizes and SHA-256 read back from the destination.</summary>
    public async Task<VerificationResult> VerifyAsync(VerifyInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = input.Plan;
        await catalog.Jobs.UpdateAsync(plan.JobId, j => j with { Progress = JobProgressMath.StartStep(j.Progress, BackupSteps.Verify, BackupSteps.Total) }, cancellationToken);
        var store = await stores.OpenAsync(plan.Destination(input.Index), cancellationToken);
        var result = await JobProgressReporter.WatchAsync(catalog, plan.JobId, time, _watchInterval, logger,
            (_, ct) => verifier.VerifyAsync(store, plan.FolderIn(input.Index), input.ManifestSha256, ct, readReferenced: false), cancellationToken);
        if (result.Ok)
        {
            logger.LogInformation("Backup {BackupId}: copy {Index} at {Location} verified ({Objects} objects, {Bytes} bytes)",
                plan.BackupId, input.Index, store.Location, result.Objects, result.Bytes);
        }
        else
        {
            logger.LogError("Backup {BackupId}: copy {Index} at {Location} FAILED verification: {Problems}",
                plan.BackupId, input.Index, store.Location, string.Join("; ", result.Problems));
        }
        return result;
    }

    /// <summary>The catalog's view of every copy, from what the orchestration found.</summary>
    public async Task<IReadOnlyList<BackupLocation>> DescribeAsync(BackupPlan plan, string manifestName, IReadOnlyList<CopyOutcome> copies, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(copies);
        var locations = new List<BackupLocation>();
        for (var index = 0; index <= plan.Config.Replicas.Count; index++)
        {
            var destination = plan.Destination(index);
            var store = await stores.OpenAsync(destination, cancellationToken);
            var location = await stores.FindAsync(destination, cancellationToken);
            var outcome = copies.FirstOrDefault(c => c.Index == index);
            locations.Add(new BackupLocation(location?.Type ?? destination.Type, store.Location, plan.FolderIn(index) + ObjectNames.Manifest, Primary: index == 0)
            {
                Index = index,
                StorageId = destination.StorageId,
                Destination = destination,
                Status = outcome?.Error is null ? "ok" : "failed",
                Error = outcome?.Error,
                LastVerification = outcome?.Verification,
            });
        }
        return locations;
    }

    /// <summary>
    /// The plan to retry the failed copies of a backup; null when the backup does not exist. A backup with no failed
    /// copy gets a plan with nothing to do.
    /// </summary>
    /// <exception cref="InvalidOperationException">The backup's config was deleted, or its row predates recorded destinations.</exception>
    public async Task<CopyRetryPlan?> PlanRetryAsync(string backupId, CancellationToken cancellationToken)
    {
        var record = await catalog.Backups.GetAsync(backupId, cancellationToken);
        if (record is null)
            return null;
        var config = await catalog.Configs.GetAsync(record.ConfigId, cancellationToken)
            ?? throw new InvalidOperationException($"The config {record.ConfigId} of backup {backupId} no longer exists.");
        var ordered = record.Locations.OrderBy(l => l.Index).ToList();
        if (ordered.Any(l => l.Destination is null))
            throw new InvalidOperationException($"Backup {backupId} was recorded without its destinations; its copies cannot be retried.");
        var plan = new BackupPlan(record.JobId, record.Id, record.ConfigId, config.Config with
        {
            Storage = ordered[0].Destination!,
            Replicas = [.. ordered.Skip(1).Select(l => l.Destination!)],
        }, record.CreatedAt);
        return new CopyRetryPlan(plan, [.. ordered.Where(l => l.Status == "failed").Select(l => l.Index)], record.Checksum);
    }

    /// <summary>Writes retried copies' outcomes into the backup's row, resolves the alerts of the copies now made, raises new ones.</summary>
    public async Task<BackupRecord> UpdateCopiesAsync(CopyUpdateInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = input.Plan;
        var current = await catalog.Backups.GetAsync(plan.BackupId, cancellationToken)
            ?? throw new KeyNotFoundException($"Backup '{plan.BackupId}' does not exist.");
        var described = await DescribeAsync(plan, current.Locations[0].ManifestName, input.Copies, cancellationToken);
        var retried = input.Copies.Select(c => c.Index).ToHashSet();
        var updated = await catalog.Backups.UpdateAsync(plan.BackupId, record =>
        {
            var locations = record.Locations.Select(l => retried.Contains(l.Index) ? described.Single(d => d.Index == l.Index) : l).ToList();
            // A backup retention is removing stays so: a retried copy must not make it look whole again.
            return record with { Locations = locations, Status = record.Status == BackupStatuses.Deleting ? record.Status : StatusOf(locations) };
        }, cancellationToken);
        await RaiseAlertsAsync(plan, [.. described.Where(d => retried.Contains(d.Index))], cancellationToken);
        foreach (var fixedCopy in described.Where(d => retried.Contains(d.Index) && d.Status == "ok"))
        {
            logger.LogInformation("Backup {BackupId}: copy {Index} to {Location} made on retry", plan.BackupId, fixedCopy.Index, fixedCopy.Location);
            await catalog.Alerts.ResolveAsync(AlertTypes.IdFor(AlertTypes.ReplicationFailed, plan.ConfigId, plan.BackupId, fixedCopy.Index), cancellationToken);
        }
        return updated;
    }

    /// <summary>The backup's status from its copies: a failed verification outweighs a missing copy.</summary>
    public static string StatusOf(IReadOnlyList<BackupLocation> locations)
    {
        ArgumentNullException.ThrowIfNull(locations);
        return locations.Any(l => l.LastVerification is { Ok: false }) ? BackupStatuses.VerificationFailed
            : locations.Any(l => l.Status == "failed") ? BackupStatuses.CompletedWithWarnings
            : BackupStatuses.Completed;
    }

    /// <summary>Raises the alerts a backup's copies call for: a failed replica, a failed verification.</summary>
    public Task<IReadOnlyList<BackupAlert>> RaiseAlertsAsync(BackupPlan plan, IReadOnlyList<BackupLocation> locations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return RaiseAlertsAsync(plan.ConfigId, plan.BackupId, locations, cancellationToken);
    }

    /// <summary>As <see cref="RaiseAlertsAsync(BackupPlan, IReadOnlyList{BackupLocation}, CancellationToken)"/>, for a backup known by its ids.</summary>
    /// <returns>The alerts this call opened (not those that were open already and were only updated).</returns>
    public async Task<IReadOnlyList<BackupAlert>> RaiseAlertsAsync(string configId, string backupId, IReadOnlyList<BackupLocation> locations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(locations);
        var now = time.GetUtcNow();
        var opened = new List<BackupAlert>();
        foreach (var location in locations)
        {
            if (location.Status == "failed")
            {
                Collect(opened, await catalog.Alerts.RaiseAsync(new BackupAlert
                {
                    Id = AlertTypes.IdFor(AlertTypes.ReplicationFailed, configId, backupId, location.Index),
                    Type = AlertTypes.ReplicationFailed,
                    Severity = AlertSeverities.High,
                    ConfigId = configId,
                    BackupId = backupId,
                    Message = $"The copy of backup {backupId} to {location.Location} failed: {location.Error} Retry with POST /api/backups/{backupId}/replicate.",
                    CreatedAt = now,
                }, cancellationToken));
            }
            if (location.LastVerification is { Ok: false } failed)
            {
                Collect(opened, await catalog.Alerts.RaiseAsync(new BackupAlert
                {
                    Id = AlertTypes.IdFor(AlertTypes.VerificationFailed, configId, backupId, location.Index),
                    Type = AlertTypes.VerificationFailed,
                    Severity = AlertSeverities.Critical,
                    ConfigId = configId,
                    BackupId = backupId,
                    Message = $"Backup {backupId} at {location.Location} failed {failed.Level} verification: {string.Join("; ", failed.Problems)}",
                    CreatedAt = now,
                }, cancellationToken));
            }
        }
        return opened;
    }

    private static void Collect(List<BackupAlert> opened, RaisedAlert raised)
    {
        if (raised.IsNew)
            opened.Add(raised.Alert);
    }
}
