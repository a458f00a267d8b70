using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Retention;

/// <summary>
/// Applies a config's retention policy to its backups in the catalog and the destinations: the plan comes from
/// <see cref="RetentionPlanner"/> (calendar buckets in the config's time zone, keepWithin from the clock); a backup
/// that goes is marked <see cref="BackupStatuses.Deleting"/> first, then its objects are removed from every
/// destination (manifest first, so a half-removed copy is never taken for a backup), then its row.
/// </summary>
/// <remarks>
/// Resumable: rows left <c>deleting</c> by an interrupted run or an unreachable destination are finished first on the
/// next run, whatever the plan says. Locks are never forced: a backup under an immutability lock is kept and
/// reported, whether the lock is known beforehand (the location's immutability days after the backup completed, or
/// the lock a destination reports for the copy's manifest) or only when a destination refuses the delete.
/// Only the config's own backups are read and touched.
/// After the removals, each run also sweeps the temporary objects that interrupted uploads left in the config's
/// destinations (under its prefix's <c>backups/</c> folder; see <see cref="IBackupStore"/> on temporary objects): those
/// whose last write is older than <see cref="StorageOptions.TemporaryGraceHours"/>, except in the folder of a job that
/// is still pending or running — an upload that is still going is never touched.
/// </remarks>
public sealed class RetentionCleaner(
    BackupCatalog catalog, StorageLocations stores, TimeProvider time, ILogger<RetentionCleaner> logger, IOptions<StorageOptions>? storage = null)
{
    private readonly TimeSpan _temporaryGrace = TimeSpan.FromHours((storage?.Value ?? new StorageOptions()).TemporaryGraceHours);

    /// <summary>Puts a store around each opened destination; tests inject failures and locks through it.</summary>
    internal Func<StorageDestination, IBackupStore, IBackupStore> WrapStore { get; init; } = (_, store) => store;

    /// <summary>The plan as it stands now, changing nothing (a dry run); null when the config does not exist.</summary>
    public async Task<RetentionReport?> PlanAsync(string configId, CancellationToken cancellationToken)
    {
        var stored = await catalog.Configs.GetAsync(configId, cancellationToken);
        return stored is null ? null : (await BuildAsync(stored, new RunState(), cancellationToken)).Report;
    }

    /// <summary>
    /// Finishes interrupted removals, then plans and removes what the plan removes; null when the config does not
    /// exist. A removal that fails is in the report (<see cref="RetentionEntry.Failed"/>), never thrown.
    /// </summary>
    public async Task<RetentionReport?> ApplyAsync(string configId, CancellationToken cancellationToken)
    {
        var stored = await catalog.Configs.GetAsync(configId, cancellationToken);
        if (stored is null)
            return null;
        var state = new RunState();
        var (plan, records) = await BuildAsync(stored, state, cancellationToken);
        var entries = new List<RetentionEntry>(plan.Backups.Count);
        foreach (var entry in plan.Backups)
        {
            entries.Add(entry.Decision == RetentionEntry.Remove
                ? await RemoveAsync(records[entry.BackupId], entry, state, cancellationToken)
                : entry);
        }
        var sweep = await SweepTemporariesAsync(stored, state, cancellationToken);
        var report = plan with
        {
            Applied = true,
            Backups = entries,
            TemporariesRemoved = sweep.Removed,
            TemporaryBytesRemoved = sweep.Bytes,
            Warnings = [.. plan.Warnings, .. sweep.Problems],
        };
        logger.LogInformation(
            "Retention of config {ConfigId}: {Removed} backups removed, {Kept} kept, {Locked} locked, {Failed} failed; {Temporaries} temporary objects ({TemporaryBytes} bytes) swept",
            configId, report.Removed, report.Keep, report.Locked, report.Failed, sweep.Removed, sweep.Bytes);
        return report;
    }

    /// <summary>
    /// Removes every backup of a config that is deleted with its backups (DELETE /api/backup-configs/{id}?deleteBackups=true)
    /// the way retention removes one: newest first (an incremental before what it references), every copy, manifest
    /// first, then the row. A copy under an immutability lock keeps its backup (<see cref="RetentionEntry.Locked"/>),
    /// as does a backup being restored or recorded without its destinations; those stay listed under the config.
    /// </summary>
    public async Task<RetentionReport> RemoveAllAsync(string configId, CancellationToken cancellationToken)
    {
        var state = new RunState();
        var records = new List<BackupRecord>();
        await foreach (var record in catalog.Backups.OfConfigAsync(configId, cancellationToken))
        {
            if (record.ConfigId == configId)
                records.Add(record);
        }
        var restoring = await BackupsBeingRestoredAsync(configId, cancellationToken);
        var entries = new List<RetentionEntry>(records.Count);
        foreach (var record in records.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal))
        {
            var entry = new RetentionEntry(record.Id, record.CreatedAt, record.Status, record.SizeBytes, RetentionEntry.Remove,
                ["its config is deleted with its backups"]);
            string? hold = restoring.TryGetValue(record.Id, out var restoreJobId) ? $"being restored (restore job {restoreJobId})"
                : record.Locations.Any(l => l.Destination is null) ? "recorded without its destinations, so it cannot be removed automatically"
                : null;
            entries.Add(hold is null
                ? await RemoveAsync(record, entry, state, cancellationToken)
                : entry with { Decision = RetentionEntry.Keep, Reasons = [hold] });
        }
        var report = new RetentionReport(configId, time.GetUtcNow(), Applied: true, entries, []);
        logger.LogInformation("Backups of deleted config {ConfigId}: {Removed} removed, {Kept} kept, {Locked} locked, {Failed} failed",
            configId, report.Removed, report.Keep, report.Locked, report.Failed);
        return report;
    }

    /// <summary>
    /// The request of the ApplyRetention activity: after a backup (<see cref="RetentionRequest.JobId"/> set) as
    /// <see cref="ApplyAfterBackupAsync"/>, otherwise as <see cref="ApplyAsync"/>.
    /// </summary>
    public Task<RetentionReport?> RunAsync(RetentionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.JobId is null ? ApplyAsync(request.ConfigId, cancellationToken) : ApplyAfterBackupAsync(request, cancellationToken);
    }

    /// <summary>
    /// <see cref="ApplyAsync"/> after a backup: a retention failure never fails the backup; it becomes a warning on
    /// the job (which then ends completed_with_warnings). Throws only when the job itself cannot be updated.
    /// </summary>
    public async Task<RetentionReport?> ApplyAfterBackupAsync(RetentionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        RetentionReport? report = null;
        List<string> warnings;
        try
        {
            report = await ApplyAsync(request.ConfigId, cancellationToken);
            warnings = report is null ? [] : [.. report.FailureLines];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "Retention of config {ConfigId} failed", request.ConfigId);
            warnings = [$"retention cleanup failed: {e.Message}"];
        }
        if (warnings.Count > 0 && request.JobId is { } jobId)
        {
            await catalog.Jobs.UpdateAsync(jobId, j => j with
            {
                Status = j.Status == JobStatus.Completed ? JobStatus.CompletedWithWarnings : j.Status,
                // Distinct: a retried activity must not repeat the same warning.
                Warnings = [.. j.Warnings.Concat(warnings).Distinct(StringComparer.Ordinal)],
            }, cancellationToken);
        }
        return report;
    }

    /// <summary>
    /// Deletes one backup on request, through the same removal as retention (every copy, manifest first, then the row)
    /// — or refuses, touching nothing, when it is locked by a destination's immutability, when anything still needs it
    /// (a kept backup references it or has it as its base, a running backup uses it as its base), when a restore is
    /// reading it, when it was recorded without its destinations, or when it is the newest successful backup of its
    /// config (unless <paramref name="force"/>: that rule only). A backup left <c>deleting</c> by an earlier removal is
    /// finished.
    /// </summary>
    public async Task<BackupDeletion> DeleteAsync(string backupId, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backupId);
        var record = await catalog.Backups.GetAsync(backupId, cancellationToken);
        if (record is null)
            return new BackupDeletion(BackupDeletionOutcome.NotFound);
        var now = time.GetUtcNow();
        var state = new RunState();

        await foreach (var job in catalog.RestoreJobs.ActiveAsync(record.ConfigId, cancellationToken))
        {
            if (job.BackupId == backupId)
                return Refused(BackupDeletion.RestoringRule, $"Backup {backupId} is being restored (restore job {job.Id}); delete it after the restore has ended.");
        }
        if (record.Locations.Any(l => l.Destination is null))
            return Refused(BackupDeletion.NoDestinationRule, $"Backup {backupId} was recorded without its destinations, so it cannot be removed by the service; remove its objects by hand.");
        if (await LockOfAsync(record, now, state, cancellationToken) is { } until)
            return Refused(BackupDeletion.LockedRule, $"Backup {backupId} is locked by its destination's immutability until {until:yyyy-MM-dd HH:mm} UTC.");
        if (await ChainProtection.HeldByAsync(catalog, record.ConfigId, backupId, cancellationToken) is { } holder)
            return Refused(BackupDeletion.ReferencedRule, $"Backup {backupId} is still needed: it is {holder}. Delete the backups that need it first.");
        if (!force && IsSuccessful(record) && await catalog.Configs.GetAsync(record.ConfigId, cancellationToken) is { } config && IsEnabled(config))
        {
            var newest = true;
            await foreach (var other in catalog.Backups.OfConfigAsync(record.ConfigId, cancellationToken))
            {
                if (other.Id != backupId && IsSuccessful(other) && other.CreatedAt > record.CreatedAt)
                {
                    newest = false;
                    break;
                }
            }
            if (newest)
                return Refused(BackupDeletion.NewestRule, $"Backup {backupId} is the newest successful backup of config {record.ConfigId}, which is enabled; add ?force=true to delete it anyway.");
        }

        var entry = new RetentionEntry(record.Id, record.CreatedAt, record.Status, record.SizeBytes, RetentionEntry.Remove, ["deleted on request"]);
        var result = await RemoveAsync(record, entry, state, cancellationToken);
        return result switch
        {
            { Outcome: RetentionEntry.Removed } => new BackupDeletion(BackupDeletionOutcome.Removed),
            { Outcome: RetentionEntry.Locked } => new BackupDeletion(BackupDeletionOutcome.Locked, string.Join("; ", result.Reasons.Skip(1))),
            { Outcome: RetentionEntry.Failed } => new BackupDeletion(BackupDeletionOutcome.Failed, result.Error),
            // Something came to need it between the check and the mark (ChainProtection): the removal was not started.
            _ => Refused(BackupDeletion.ReferencedRule, $"Backup {backupId} is still needed: {string.Join("; ", result.Reasons.Skip(1))}."),
        };

        static BackupDeletion Refused(string rule, string reason) => new(BackupDeletionOutcome.Refused, reason, rule);
    }

    /// <summary>Whether the config still runs: not paused and not deleted (only then is its newest backup protected).</summary>
    private static bool IsEnabled(StoredBackupConfig config) => config.Config.Enabled && config.DeletedAt is null;

    /// <summary>Completed (with or without warnings) and not suspect: only those fill a bucket.</summary>
    public static bool IsSuccessful(BackupRecord backup)
    {
        ArgumentNullException.ThrowIfNull(backup);
        return backup.Status is BackupStatuses.Completed or BackupStatuses.CompletedWithWarnings;
    }

    private async Task<(RetentionReport Report, Dictionary<string, BackupRecord> Records)> BuildAsync(
        StoredBackupConfig stored, RunState state, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var config = stored.Config;
        var policy = config.Retention ?? new RetentionPolicy();
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(config.Schedule.TimeZone, out var found)
            ? found
            : throw new InvalidOperationException($"Config {stored.Id} has an unknown time zone '{config.Schedule.TimeZone}'.");

        var records = new Dictionary<string, BackupRecord>(StringComparer.Ordinal);
        await foreach (var record in catalog.Backups.OfConfigAsync(stored.Id, cancellationToken))
        {
            // The query filters by config already; this guards the promise that nothing else is ever touched.
            if (record.ConfigId == stored.Id)
                records[record.Id] = record;
        }

        var live = records.Values.Where(r => r.Status != BackupStatuses.Deleting).ToList();
        var candidates = live.Select(r => new RetentionCandidate(r.Id, r.CreatedAt, IsSuccessful(r), r.BaseBackupId, Trigger: r.Trigger,
            ReferencedBackupIds: r.ReferencedBackupIds)).ToList();
        var decisions = RetentionPlanner.Plan(candidates, policy, now, zone);
        // A backup a restore is reading (or is about to read), or a running backup uses as its base, stays until that
        // has ended, whatever the rules say; so does one recorded without its destinations. Like a lock, such a hold only
        // turns a removal into a kept backup (and keeps what it references), so only the removals need asking about.
        var restoring = await BackupsBeingRestoredAsync(stored.Id, cancellationToken);
        var bases = await BasesOfActiveJobsAsync(stored.Id, cancellationToken);
        var locks = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var holds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var decision in decisions.Where(d => !d.Keep))
        {
            var record = records[decision.Id];
            if (restoring.TryGetValue(decision.Id, out var restoreJobId))
                holds[decision.Id] = $"being restored (restore job {restoreJobId}); it is planned again after the restore";
            else if (bases.TryGetValue(decision.Id, out var backupJobId))
                holds[decision.Id] = $"base of running backup job {backupJobId}; it is planned again after the backup";
            else if (record.Locations.Any(l => l.Destination is null))
                holds[decision.Id] = "recorded without its destinations, so it cannot be removed automatically";
            else if (await LockOfAsync(record, now, state, cancellationToken) is { } until)
                locks[decision.Id] = until;
        }
        if (locks.Count > 0 || holds.Count > 0)
        {
            decisions = RetentionPlanner.Plan([.. candidates.Select(c => c with
            {
                LockedUntil = locks.TryGetValue(c.Id, out var until) ? until : c.LockedUntil,
                Hold = holds.GetValueOrDefault(c.Id),
            })], policy, now, zone);
        }

        // A removal an earlier run started is finished first, unless a backup the plan keeps still references it: then it
        // waits (its objects may be partly gone, but what is left is what the referencing backup reads).
        var keptReferences = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var kept in decisions.Where(d => d.Keep).Select(d => records[d.Id]))
        {
            foreach (var referenced in kept.ReferencedBackupIds.Append(kept.BaseBackupId).OfType<string>())
                keptReferences.TryAdd(referenced, kept.Id);
        }
        var resumed = records.Values.Where(r => r.Status == BackupStatuses.Deleting).OrderByDescending(r => r.CreatedAt)
            .Select(r => keptReferences.TryGetValue(r.Id, out var referencing)
                ? new RetentionEntry(r.Id, r.CreatedAt, r.Status, r.SizeBytes, RetentionEntry.Keep,
                    [$"an earlier removal did not finish, but kept backup {referencing} references it; postponed until no kept backup does"])
                : new RetentionEntry(r.Id, r.CreatedAt, r.Status, r.SizeBytes, RetentionEntry.Remove,
                    [r.DeletionError is { } error ? $"an earlier removal did not finish ({error}); finishing it" : "an earlier removal was interrupted; finishing it"]));
        var planned = decisions.Select(d =>
        {
            var record = records[d.Id];
            return new RetentionEntry(d.Id, record.CreatedAt, record.Status, record.SizeBytes,
                d.Keep ? RetentionEntry.Keep : RetentionEntry.Remove, d.Reasons, d.Locked);
        });

        var warnings = RetentionRules.ImmutabilityWarnings(policy, await ImmutabilityOfAsync(config, state, cancellationToken));
        foreach (var warning in warnings)
            logger.LogWarning("Retention of config {ConfigId}: {Warning}", stored.Id, warning);
        var report = new RetentionReport(stored.Id, now, Applied: false, [.. resumed, .. planned], warnings);
        return (report, records);
    }

    /// <summary>The latest lock still in force on any copy, or null.</summary>
    private async Task<DateTimeOffset?> LockOfAsync(BackupRecord record, DateTimeOffset now, RunState state, CancellationToken cancellationToken)
    {
        DateTimeOffset? latest = null;
        foreach (var copy in record.Locations.Where(l => l.Status == "ok" && l.Destination is not null))
        {
            if (await ImmutabilityOfAsync(copy.Destination!, state, cancellationToken) is not { } days)
                continue;
            // Each object is locked for the location's days from when it was written; the manifest is written last.
            var until = record.CompletedAt.AddDays(days);
            try
            {
                // A replica retried later is locked later: the destination knows, where it can tell.
                var store = await OpenAsync(copy.Destination!, cancellationToken);
                if ((await store.GetInfoAsync(copy.ManifestName, cancellationToken))?.LockedUntil is { } reported && reported > until)
                    until = reported;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning("Backup {BackupId}: could not read the lock of {Manifest} at {Location} ({Error}); assuming {Until:u}",
                    record.Id, copy.ManifestName, copy.Location, e.Message, until);
            }
            if (latest is null || until > latest)
                latest = until;
        }
        return latest > now ? latest : null;
    }

    private async Task<RetentionEntry> RemoveAsync(BackupRecord record, RetentionEntry entry, RunState state, CancellationToken cancellationToken)
    {
        // Copies on lockable destinations go first: a lock met there leaves the other copies untouched.
        var copies = new List<(BackupLocation Copy, bool Immutable)>();
        foreach (var copy in record.Locations)
            copies.Add((copy, copy.Destination is { } d && await ImmutabilityOfAsync(d, state, cancellationToken) is not null));
        copies = [.. copies.OrderByDescending(c => c.Immutable).ThenBy(c => c.Copy.Index)];

        if (record.Status != BackupStatuses.Deleting)
        {
            // A destination already found down this run would fail again: leave the backup whole and restorable.
            if (copies.FirstOrDefault(c => c.Copy.Destination is { } d && state.Down.ContainsKey(KeyOf(d))) is { Copy: { } blocked })
                return entry with { Outcome = RetentionEntry.Failed, Error = $"not started: {blocked.Location} is unreachable ({state.Down[KeyOf(blocked.Destination!)]})" };
            try
            {
                await catalog.Backups.UpdateAsync(record.Id, r => r with { Status = BackupStatuses.Deleting, DeletionError = null }, cancellationToken);
            }
            catch (KeyNotFoundException)
            {
                return entry with { Outcome = RetentionEntry.Removed };
            }
            // Marked first, then asked (ChainProtection): a backup run that chose this one as its base after the plan
            // was made, or an incremental recorded since, sees the mark or is seen here; then the removal waits.
            if (await ChainProtection.HeldByAsync(catalog, record.ConfigId, record.Id, cancellationToken) is { } holder)
            {
                await catalog.Backups.UpdateAsync(record.Id, r => r with { Status = record.Status, DeletionError = null }, cancellationToken);
                logger.LogInformation("Backup {BackupId}: removal postponed, it is {Holder}", record.Id, holder);
                return entry with { Decision = RetentionEntry.Keep, Reasons = [.. entry.Reasons, $"{holder}; removal postponed"] };
            }
        }

        var removed = new HashSet<int>();
        foreach (var (copy, _) in copies)
        {
            var error = copy.Destination is null ? "the copy was recorded without its destination" : null;
            try
            {
                if (copy.Destination is { } destination)
                {
                    var store = await OpenAsync(destination, cancellationToken);
                    if (await RemoveObjectsAsync(store, copy.ManifestName, cancellationToken) is { } locked)
                        return await KeepLockedAsync(record, entry, copy, locked.Until, removed, cancellationToken);
                    removed.Add(copy.Index);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                error = e.Message;
                state.Down.TryAdd(KeyOf(copy.Destination!), e.Message);
            }
            if (error is not null)
            {
                var message = $"{copy.Location}: {error}";
                await catalog.Backups.UpdateAsync(record.Id, r => r with { DeletionError = message }, cancellationToken);
                logger.LogWarning("Backup {BackupId}: removal stopped at {Location} ({Error}); it stays deleting and is finished on the next run",
                    record.Id, copy.Location, error);
                return entry with { Outcome = RetentionEntry.Failed, Error = message };
            }
        }

        await catalog.Backups.DeleteAsync(record.Id, cancellationToken);
        logger.LogInformation("Backup {BackupId} of config {ConfigId} removed by retention from {Copies} destinations ({Reasons})",
            record.Id, record.ConfigId, copies.Count, string.Join("; ", entry.Reasons));
        return entry with { Outcome = RetentionEntry.Removed };
    }

    /// <summary>A destination refused a delete with a lock: the backup is kept; copies already emptied are marked so.</summary>
    private async Task<RetentionEntry> KeepLockedAsync(
        BackupRecord record, RetentionEntry entry, BackupLocation lockedCopy, DateTimeOffset? until, HashSet<int> removed, CancellationToken cancellationToken)
    {
        var when = time.GetUtcNow();
        await catalog.Backups.UpdateAsync(record.Id, r =>
        {
            var locations = r.Locations.Select(l => removed.Contains(l.Index)
                ? l with { Status = "failed", Error = $"removed by retention on {when:yyyy-MM-dd}; the copy at {lockedCopy.Location} is locked" }
                : l).ToList();
            return r with { Locations = locations, Status = BackupCopies.StatusOf(locations), DeletionError = null };
        }, cancellationToken);
        var lockText = until is { } u ? $"locked until {u:yyyy-MM-dd HH:mm} UTC" : "locked";
        logger.LogWarning("Backup {BackupId}: {Location} refused the delete ({Lock}); the backup is kept", record.Id, lockedCopy.Location, lockText);
        return entry with
        {
            Outcome = RetentionEntry.Locked,
            LockedUntil = until ?? entry.LockedUntil,
            Reasons = [.. entry.Reasons, $"{lockedCopy.Location} refused the delete: {lockText}"],
        };
    }

    /// <summary>
    /// Deletes every object of one copy, the manifest first; safe to repeat. Returns the lock when the destination
    /// refused a delete because of one (what was deleted before stays deleted), null when the copy is gone.
    /// </summary>
    private static async Task<LockedObject?> RemoveObjectsAsync(IBackupStore store, string manifestName, CancellationToken cancellationToken)
    {
        if (!manifestName.EndsWith("/" + ObjectNames.Manifest, StringComparison.Ordinal))
            throw new InvalidOperationException($"'{manifestName}' is not the manifest of a backup folder.");
        var folder = manifestName[..^ObjectNames.Manifest.Length];
        var names = new List<string>();
        await foreach (var info in store.ListAsync(folder, cancellationToken))
        {
            if (info.Name != manifestName)
                names.Add(info.Name);
        }
        foreach (var name in names.Prepend(manifestName))
        {
            try
            {
                await store.DeleteAsync(name, cancellationToken);
            }
            catch (StoreException e) when (e.Kind == StoreFailureKind.Locked)
            {
                DateTimeOffset? until = null;
                try
                {
                    until = (await store.GetInfoAsync(name, cancellationToken))?.LockedUntil;
                }
                catch (StoreException)
                {
                    // The lock's end date is a courtesy; the refusal is what counts.
                }
                return new LockedObject(name, until);
            }
        }
        return null;
    }

    /// <summary>
    /// Removes the stale temporary objects under the config's backups folder in each of its destinations (see the class
    /// remarks). A destination that fails is reported, never thrown: the backups' retention has been applied already.
    /// </summary>
    private async Task<(int Removed, long Bytes, List<string> Problems)> SweepTemporariesAsync(
        StoredBackupConfig stored, RunState state, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - _temporaryGrace;
        var removed = 0;
        long bytes = 0;
        var problems = new List<string>();
        var ended = new Dictionary<string, bool>(StringComparer.Ordinal);
        var config = stored.Config;
        foreach (var destination in config.Replicas.Prepend(config.Storage).DistinctBy(d => (KeyOf(d), ObjectNames.BackupsFolder(d.Prefix))))
        {
            if (state.Down.TryGetValue(KeyOf(destination), out var down))
            {
                problems.Add($"temporary objects not swept: {down}");
                continue;
            }
            var folder = ObjectNames.BackupsFolder(destination.Prefix);
            IBackupStore? store = null;
            try
            {
                store = await OpenAsync(destination, cancellationToken);
                var stale = new List<StoredObjectInfo>();
                await foreach (var temporary in store.ListTemporaryAsync(folder, cancellationToken))
                {
                    if (temporary.LastModified > cutoff)
                        continue;
                    // <prefix>/backups/<job id>/…: the job that wrote it decides whether an upload may still be going.
                    var rest = temporary.Name[folder.Length..];
                    var slash = rest.IndexOf('/', StringComparison.Ordinal);
                    if (slash > 0 && !await HasEndedAsync(rest[..slash], ended, cancellationToken))
                        continue;
                    stale.Add(temporary);
                }
                foreach (var temporary in stale)
                {
                    await store.DeleteTemporaryAsync(temporary.Name, cancellationToken);
                    removed++;
                    bytes += temporary.Size;
                    logger.LogInformation("Retention of config {ConfigId}: removed the temporary object {Name} ({Bytes} bytes, last written {LastWritten:u}) from {Location}",
                        stored.Id, temporary.Name, temporary.Size, temporary.LastModified, store.Location);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var where = store?.Location ?? destination.StorageId ?? destination.Type;
                logger.LogWarning(e, "Retention of config {ConfigId}: sweeping temporary objects at {Location} failed", stored.Id, where);
                problems.Add($"temporary objects at {where} not swept: {e.Message}");
            }
        }
        return (removed, bytes, problems);
    }

    /// <summary>Whether the job <paramref name="jobId"/> has ended (or never was one): its uploads are over.</summary>
    private async Task<bool> HasEndedAsync(string jobId, Dictionary<string, bool> known, CancellationToken cancellationToken)
    {
        if (!known.TryGetValue(jobId, out var ended))
            known[jobId] = ended = await catalog.Jobs.GetAsync(jobId, cancellationToken) is not { IsFinished: false };
        return ended;
    }

    private async Task<IBackupStore> OpenAsync(StorageDestination destination, CancellationToken cancellationToken)
        => WrapStore(destination, await stores.OpenAsync(destination, cancellationToken));

    /// <summary>The lock days of a destination with immutability on, or null.</summary>
    private async Task<int?> ImmutabilityOfAsync(StorageDestination destination, RunState state, CancellationToken cancellationToken)
    {
        if (destination.StorageId is not { } id)
            return null;
        if (!state.Locations.TryGetValue(id, out var location))
            state.Locations[id] = location = await stores.FindAsync(destination, cancellationToken);
        return location?.Immutability is { Enabled: true, Days: > 0 } immutability ? immutability.Days : null;
    }

    private async Task<List<(string, ImmutabilityOptions)>> ImmutabilityOfAsync(BackupConfig config, RunState state, CancellationToken cancellationToken)
    {
        var result = new List<(string, ImmutabilityOptions)>();
        foreach (var destination in config.Replicas.Prepend(config.Storage))
        {
            if (destination.StorageId is not { } id)
                continue;
            if (!state.Locations.TryGetValue(id, out var location))
                state.Locations[id] = location = await stores.FindAsync(destination, cancellationToken);
            if (location is not null)
                result.Add(($"Storage location '{location.Name}' ({location.Id})", location.Immutability));
        }
        return result;
    }

    /// <summary>One store behind a destination (the prefix is only a folder in it).</summary>
    private static string KeyOf(StorageDestination destination)
        => destination.StorageId ?? $"{destination.Type}|{destination.Container}|{destination.Path}";

    /// <summary>The backups that pending or running restore jobs of the config restore, each with its restore job.</summary>
    private async Task<Dictionary<string, string>> BackupsBeingRestoredAsync(string configId, CancellationToken cancellationToken)
    {
        var restoring = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var job in catalog.RestoreJobs.ActiveAsync(configId, cancellationToken))
            restoring.TryAdd(job.BackupId, job.Id);
        return restoring;
    }

    /// <summary>The backups that pending or running backup jobs of the config use as their base, each with its job.</summary>
    private async Task<Dictionary<string, string>> BasesOfActiveJobsAsync(string configId, CancellationToken cancellationToken)
    {
        var bases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var status in new[] { JobStatus.Running, JobStatus.Pending })
        {
            await foreach (var job in catalog.Jobs.OfConfigAsync(configId, status, cancellationToken))
            {
                if (job.BaseBackupId is { } baseId)
                    bases.TryAdd(baseId, job.Id);
            }
        }
        return bases;
    }

    private sealed record LockedObject(string Name, DateTimeOffset? Until);

    /// <summary>What one run learns as it goes: the storage locations it looked up and the destinations it found down.</summary>
    private sealed class RunState
    {
        public Dictionary<string, StorageLocation?> Locations { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Down { get; } = new(StringComparer.Ordinal);
    }
}
