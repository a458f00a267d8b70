using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The steps of one restore job (docs/design.md, 'Restore'), one method per activity of the restore orchestration:
/// the job's row in the catalog, its progress and log, and one call each into <see cref="InPlaceRestorer"/>. Every step
/// is idempotent (a retried activity does the same again) and resolves connections and keys itself, so the plan that
/// travels between them holds no secret. Nothing here knows about the Functions host.
/// </summary>
public sealed class RestoreJobRunner(
    BackupCatalog catalog,
    StorageLocations stores,
    InPlaceRestorer restorer,
    DatabaseConnections databases,
    SiteRoots siteRoots,
    JobLogs logs,
    BackupMetrics metrics,
    TimeProvider time,
    IOptions<RestoreJobOptions> options,
    ILogger<RestoreJobRunner> logger,
    JobOptions? jobs = null,
    Sources.Sites.SiteSources? siteSources = null)
{
    private readonly TimeSpan _progressInterval = (jobs ?? new JobOptions()).ProgressInterval;

    /// <summary>
    /// Marks the job running and fixes its plan: the backup checked again (it may have been deleted or failed
    /// verification since the request), the targets resolved and confined as they are now, the database connection
    /// tried (a missing password setting fails here, before anything is touched), and the leftovers of dead restore
    /// jobs in the site root put back (<see cref="InPlaceFileRestore.CleanupLeftovers"/>).
    /// </summary>
    /// <exception cref="JobCancelledException">The job was cancelled (or has ended) before it started.</exception>
    /// <exception cref="InvalidOperationException">The job, its config or its backup cannot be restored; the message says why.</exception>
    public async Task<RestoreJobPlan> StartAsync(RestoreJobRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var job = await catalog.RestoreJobs.GetAsync(request.RestoreJobId, cancellationToken)
            ?? throw new InvalidOperationException($"Restore job '{request.RestoreJobId}' does not exist.");
        if (job.CancelRequested)
            throw JobCancelledException.For(job.Id);
        if (job.IsFinished)
            throw JobCancelledException.NoLongerRunning(job.Id, RestoreJobStatusWords.Of(job.Status));
        var stored = await catalog.Configs.GetAsync(job.ConfigId, cancellationToken)
            ?? throw new InvalidOperationException($"Backup config '{job.ConfigId}' no longer exists.");
        var backup = await catalog.Backups.GetAsync(job.BackupId, cancellationToken)
            ?? throw new InvalidOperationException($"Backup '{job.BackupId}' no longer exists.");
        if (backup.ConfigId != job.ConfigId)
            throw new InvalidOperationException($"Backup '{backup.Id}' is not a backup of config '{job.ConfigId}'.");
        if (RestorePoint.WhyNot(backup) is { } whyNot)
            throw new InvalidOperationException(whyNot);

        var now = time.GetUtcNow();
        var plan = await PlanAsync(job, stored.Config, backup, now, cancellationToken);
        job = await catalog.RestoreJobs.UpdateAsync(job.Id, j => j with
        {
            Status = RestoreJobStatus.Running,
            StartedAt = j.StartedAt ?? now,
            Progress = JobProgressMath.CompleteStep(JobProgressMath.StartStep(j.Progress with { CompletedSteps = 0 }, RestoreJobSteps.Start, RestoreJobSteps.Total)),
        }, cancellationToken);
        plan = plan with { StartedAt = job.StartedAt ?? now };

        var running = await RunningRestoreJobsAsync(plan.JobId, cancellationToken);
        foreach (var part in ByPlace(plan))
        {
            if (part.SiteRoot is { } root && Directory.Exists(root))
                await ReportLeftoversAsync(plan.JobId, InPlaceFileRestore.CleanupLeftovers(root, running), cancellationToken);
            else if (part.SiteSource is { } site && siteSources is not null)
            {
                var target = siteSources.OpenTarget(site);
                try
                {
                    await ReportLeftoversAsync(plan.JobId, await RemoteInPlaceFileRestore.CleanupLeftoversAsync(target, running, cancellationToken), cancellationToken);
                }
                finally
                {
                    (target as IDisposable)?.Dispose();
                }
            }
        }

        logger.LogInformation("Restore job {JobId} of backup {BackupId} (config {ConfigId}) started", job.Id, job.BackupId, job.ConfigId);
        await logs.WriteAsync(job.Id, JobLogLevel.Info, "Restore started", new
        {
            backupId = job.BackupId,
            configId = job.ConfigId,
            inPlace = plan.InPlace,
            files = plan.RestoresFiles,
            components = plan.Components,
            database = plan.Database?.Database,
            items = plan.Items?.Count ?? 0,
            overwriteExisting = plan.OverwriteExisting,
            preRestoreBackup = plan.TakePreRestoreBackup,
            skipVerification = plan.SkipVerification,
        }, cancellationToken);
        return plan;
    }

    private async Task<RestoreJobPlan> PlanAsync(RestoreJob job, BackupConfig config, BackupRecord backup, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var requested = job.Options;
        var items = requested.Type == RestoreType.Selective ? requested.SelectiveItems : null;
        if (requested.Type == RestoreType.Selective && (items is null || items.Count == 0))
            throw new ArgumentException("selectiveItems: a selective restore names at least one item.");
        // Parsed for its checks only: the engine parses them again where it uses them.
        RestoreSelection.Parse(items);
        var globs = items?.Any(i => !i.StartsWith(RestoreSelection.TablePrefix, StringComparison.Ordinal)) ?? false;
        var tables = items?.Any(i => i.StartsWith(RestoreSelection.TablePrefix, StringComparison.Ordinal)) ?? false;
        var backupHasFiles = backup.Statistics.Files > 0 || backup.Statistics.Folders > 0;
        var backupHasDatabase = backup.Statistics.DatabaseTables > 0 || backup.Statistics.DatabaseDumpBytes > 0;

        var wantFiles = requested.Type switch
        {
            RestoreType.Full => requested.RestoreFiles ?? backupHasFiles,
            RestoreType.Files => requested.RestoreFiles ?? true,
            RestoreType.Selective => globs && requested.RestoreFiles != false,
            _ => false,
        };
        var wantDatabase = requested.Type switch
        {
            RestoreType.Full => requested.RestoreDatabase ?? backupHasDatabase,
            RestoreType.Database => requested.RestoreDatabase ?? true,
            RestoreType.Selective => tables && requested.RestoreDatabase != false,
            _ => false,
        };
        if (wantFiles && !backupHasFiles)
            throw new ArgumentException($"restoreFiles: backup '{backup.Id}' has no site files.");
        if (wantDatabase && !backupHasDatabase)
            throw new ArgumentException($"restoreDatabase: backup '{backup.Id}' has no database.");
        if (!wantFiles && !wantDatabase)
            throw new ArgumentException("type: the options restore neither files nor a database.");

        string? siteRoot = null;
        Sources.Sites.SiteSourceSettings? siteSource = null;
        IReadOnlyList<RestoreSitePlace>? sitePlaces = null;
        IReadOnlyList<string>? components = null;
        if (wantFiles)
        {
            var files = config.Files ?? throw new ArgumentException("restoreFiles: the config has no site files to restore into.");
            components = [.. files.Components.Where(c => requested.RestoreConfig || c != "config")];
            if (requested.TargetPath is { } target)
                siteRoot = ConfineTarget(target);
            else if (files.IsLocal())
                siteRoot = siteRoots.Confine(files).Root;
            else
                (siteRoot, siteSource, sitePlaces) = InPlaceSite(files, components);
        }

        DatabaseSource? database = null;
        if (wantDatabase)
        {
            var source = config.Database ?? throw new ArgumentException("restoreDatabase: the config has no database to restore into.");
            database = requested.TargetDatabase is { } name ? source with { Database = name } : source;
            // Resolved now to fail before anything is touched (a refused host, a missing password setting); the
            // connection itself is resolved again by each step and never leaves it.
            await databases.ConnectForRestoreAsync(database, cancellationToken);
        }

        var inPlace = requested.TargetPath is null && requested.TargetDatabase is null;
        return new RestoreJobPlan(job.Id, job.ConfigId, config.Name, backup.Id, config.Storage, now)
        {
            SiteRoot = siteRoot,
            SiteSource = siteSource,
            SitePlaces = sitePlaces,
            Components = components,
            Items = items is { Count: > 0 } ? items : null,
            Database = database,
            InPlace = inPlace,
            OverwriteExisting = requested.OverwriteExisting,
            SkipVerification = requested.SkipVerification,
            // Only the live site and database are worth a backup of their state: a restore elsewhere writes into
            // new or empty targets.
            TakePreRestoreBackup = inPlace && requested.CreatePreRestoreBackup,
            Unencrypted = EncryptionAlgorithms.IsNone(backup.Encryption),
            LockTimeoutSeconds = options.Value.LockTimeoutSeconds,
        };
    }

    /// <summary>A restore elsewhere: the target folder confined like a site root (created when its parent is allowed).</summary>
    private string ConfineTarget(string target)
    {
        if (siteRoots.Check(target, out var real) is null)
            return real;
        var parent = Path.GetDirectoryName(target.TrimEnd('/'));
        if (!Path.IsPathFullyQualified(target) || parent is null || siteRoots.Check(parent, out var realParent) is { })
            throw new ArgumentException($"targetPath: {siteRoots.Check(target, out _)}");
        var created = Path.Join(realParent, Path.GetFileName(target.TrimEnd('/')));
        Directory.CreateDirectory(created);
        return siteRoots.Check(created, out real) is { } problem ? throw new ArgumentException($"targetPath: {problem}") : real;
    }

    /// <summary>This job and every restore job still pending or running: their staging in a site is left alone.</summary>
    private async Task<HashSet<string>> RunningRestoreJobsAsync(string jobId, CancellationToken cancellationToken)
    {
        var running = new HashSet<string>(StringComparer.Ordinal) { jobId };
        await foreach (var active in catalog.RestoreJobs.ActiveAsync(null, cancellationToken))
            running.Add(active.Id);
        return running;
    }

    /// <summary>Logs (and writes to the job's log) what restore jobs that are no longer running left in the site, and what was done with it.</summary>
    private async Task ReportLeftoversAsync(string jobId, IReadOnlyList<RestoreLeftover> leftovers, CancellationToken cancellationToken)
    {
        foreach (var leftover in leftovers.Where(l => l.Outcome != RestoreLeftover.Running))
        {
            logger.LogWarning("Restore job {JobId}: leftover {Kind} of restore job {Other} in the site root: {Outcome}", jobId, leftover.Kind, leftover.JobId, leftover.Outcome);
            await logs.WriteAsync(jobId, JobLogLevel.Warning, "Leftover of an earlier restore found", new
            {
                restoreJobId = leftover.JobId,
                kind = leftover.Kind,
                name = Path.GetFileName(leftover.Path),
                outcome = leftover.Outcome,
            }, cancellationToken);
        }
    }

    /// <summary>
    /// Writes the job row of the pre-restore backup (trigger <c>pre-restore</c>; its id derives from the restore job,
    /// so a retry finds the row it wrote) and returns the request its backup orchestration runs with. The row is
    /// written without a claim: the restore holds the config, and this backup runs under its claim.
    /// </summary>
    public async Task<BackupRequest> PreparePreRestoreBackupAsync(RestoreJobPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var restore = await catalog.RestoreJobs.GetAsync(plan.JobId, cancellationToken)
            ?? throw new InvalidOperationException($"Restore job '{plan.JobId}' does not exist.");
        if (restore.CancelRequested)
            throw JobCancelledException.For(plan.JobId);
        await StartStepAsync(plan.JobId, RestoreJobSteps.PreRestoreBackup, cancellationToken);
        var id = JobIds.ForPreRestore(plan.ConfigId, restore.CreatedAt, plan.JobId);
        var created = await catalog.Jobs.TryCreateAsync(new BackupJob
        {
            Id = id,
            ConfigId = plan.ConfigId,
            Trigger = RetentionPlanner.PreRestoreTrigger,
            Name = JobNames.Of(plan.ConfigName, restore.CreatedAt),
            CreatedBy = "restore " + plan.JobId,
            CreatedAt = time.GetUtcNow(),
            Progress = new JobProgress { TotalSteps = BackupSteps.Total },
        }, cancellationToken);
        if (created)
        {
            await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Pre-restore backup started", new { backupJobId = id }, cancellationToken);
            logger.LogInformation("Restore job {JobId}: pre-restore backup {BackupJobId} started", plan.JobId, id);
        }
        return new BackupRequest(id, plan.ConfigId);
    }

    /// <summary>
    /// A cancel came while the pre-restore backup ran: its job's cancel flag is set (its running step stops within a
    /// progress interval; the orchestration then signals its backup orchestration, which removes what it wrote).
    /// </summary>
    public async Task CancelPreRestoreBackupAsync(string backupJobId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backupJobId);
        var job = await catalog.Jobs.UpdateAsync(backupJobId, j => j.IsFinished ? j : j with { CancelRequested = true }, cancellationToken);
        if (!job.IsFinished)
            await logs.WriteAsync(backupJobId, JobLogLevel.Warning, "Cancel requested", new { reason = "the restore that took this backup was cancelled" }, cancellationToken);
    }

    /// <summary>
    /// Records the pre-restore backup on the restore job (<see cref="RestoreJob.PreRestoreBackupId"/>) once it is a
    /// backup that restores. A pre-restore backup that did not complete fails the restore before anything is touched.
    /// </summary>
    /// <exception cref="InvalidOperationException">The pre-restore backup did not complete; the message says how it ended.</exception>
    public async Task<RestoreJobPlan> RecordPreRestoreBackupAsync(PreRestoreBackupInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var backup = input.BackupId is { } id ? await catalog.Backups.GetAsync(id, cancellationToken) : null;
        if (backup is null || RestorePoint.WhyNot(backup) is not null)
        {
            var job = await catalog.Jobs.GetAsync(input.BackupJobId, cancellationToken);
            var how = job is null ? "its job is gone" : $"it ended {JobStatusWords.Of(job.Status)}{(job.Error is { } e ? ": " + e : "")}";
            throw new InvalidOperationException(
                $"The pre-restore backup (job {input.BackupJobId}) did not complete ({how}); nothing was restored and the live site and database are unchanged.");
        }
        await catalog.RestoreJobs.UpdateAsync(input.Plan.JobId, j => j with
        {
            PreRestoreBackupId = backup.Id,
            Progress = JobProgressMath.CompleteStep(j.Progress),
        }, cancellationToken);
        await logs.WriteAsync(input.Plan.JobId, JobLogLevel.Info, "Pre-restore backup completed", new
        {
            backupId = backup.Id,
            sizeBytes = backup.SizeBytes,
        }, cancellationToken);
        return input.Plan with { PreRestoreBackupId = backup.Id };
    }

    /// <summary>Step: every part needed proven before anything live changes (<see cref="InPlaceRestorer.ProveAsync"/>).</summary>
    public async Task<InPlaceRestoreProof> ProveAsync(RestoreJobPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await StartStepAsync(plan.JobId, RestoreJobSteps.Prove, cancellationToken);
        InPlaceRestoreProof? proof = null;
        foreach (var part in ByPlace(plan))
        {
            // The database and the totals once (with the first place); every other place is checked all the same.
            var target = await TargetAsync(proof is null ? part : part with { Database = null }, cancellationToken);
            using var site = Opened(target);
            var proven = await WatchAsync(plan.JobId, true, (_, ct) => restorer.ProveAsync(target, ct), cancellationToken);
            proof ??= proven;
        }
        if (proof is null)
            throw new InvalidOperationException("Nothing was proven.");
        // As for backup jobs: the site's files and their bytes (the backup's index); staging narrows them to what it writes.
        await catalog.RestoreJobs.UpdateAsync(plan.JobId, j => j with
        {
            Progress = JobProgressMath.CompleteStep(JobProgressMath.WithTransfer(JobProgressMath.WithTotals(j.Progress, proof.FileCount, proof.FileBytes), 0, 0)),
        }, cancellationToken);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Backup proven", new
        {
            files = proof.Files,
            database = proof.Database,
            storedBytes = proof.StoredBytes,
            fileCount = proof.FileCount,
            tables = proof.Tables.Count,
        }, cancellationToken);
        return proof;
    }

    /// <summary>Step: the files volume into staging beside the live components; nothing live is touched.</summary>
    public async Task<InPlaceRestoreCounts?> StageFilesAsync(RestoreJobPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await StartStepAsync(plan.JobId, RestoreJobSteps.StageFiles, cancellationToken);
        InPlaceRestoreCounts? counts = null;
        foreach (var part in ByPlace(plan))
        {
            var target = await TargetAsync(part, cancellationToken);
            using var site = Opened(target);
            // Each place reports from zero: on top of the places before it.
            var before = Done(counts, counts?.Created + counts?.Overwritten);
            counts = Sum(counts, await WatchAsync(plan.JobId, true, (watch, ct) => restorer.StageFilesAsync(target, null, ArchiveProgress.After(before, watch), ct), cancellationToken));
        }
        // Known only now: the files the restore writes (items, components and overwriteExisting leave out some of the
        // backup's), which are also what verification checks. A retried stage that found its journal reported nothing.
        var written = counts is null ? 0 : counts.Created + counts.Overwritten;
        var bytes = counts?.Bytes ?? 0;
        await catalog.RestoreJobs.UpdateAsync(plan.JobId, j => j with
        {
            Progress = JobProgressMath.CompleteStep(JobProgressMath.WithTransfer(JobProgressMath.WithTotals(j.Progress, written, bytes), written, bytes)),
        }, cancellationToken);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Files staged", Describe(counts), cancellationToken);
        return counts;
    }

    /// <summary>Step: the staged components swapped in (their live folders kept aside until the job completes).</summary>
    public async Task SwapFilesAsync(RestoreJobPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await StartStepAsync(plan.JobId, RestoreJobSteps.SwapFiles, cancellationToken);
        // Not stopped by a cancel midway: a swap is a few renames, and the rollback undoes it whole (every place).
        foreach (var part in ByPlace(plan))
        {
            var target = await TargetAsync(part, cancellationToken);
            using var site = Opened(target);
            await restorer.SwapFilesAsync(target, cancellationToken);
        }
        await CompleteStepAsync(plan.JobId, cancellationToken);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Files swapped in", new { components = plan.Components }, cancellationToken);
    }

    /// <summary>
    /// Step: the database replaced atomically by the backup's (<see cref="InPlaceRestorer.RestoreDatabaseAsync"/>). A
    /// failure of the tools changed nothing and fails the step; a restore that committed but whose row counts differ
    /// from the backup's is returned with its problem, so the orchestration puts the database back.
    /// </summary>
    public async Task<RestoreDatabaseOutcome> RestoreDatabaseAsync(RestoreJobPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        await StartStepAsync(plan.JobId, RestoreJobSteps.RestoreDatabase, cancellationToken);
        var target = await TargetAsync(plan, cancellationToken, files: false);
        IReadOnlyList<TableRowCount> tables;
        try
        {
            tables = await WatchAsync(plan.JobId, true, async (_, ct) => await restorer.RestoreDatabaseAsync(target, ct) ?? [], cancellationToken);
        }
        catch (IntegrityException e)
        {
            logger.LogError("Restore job {JobId}: the restored database does not match the backup: {Error}", plan.JobId, e.Message);
            await logs.WriteAsync(plan.JobId, JobLogLevel.Error, "Restored database does not match the backup", new { error = e.Message }, cancellationToken);
            return new RestoreDatabaseOutcome([], $"{e.Message}");
        }
        await CompleteStepAsync(plan.JobId, cancellationToken);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Database restored", new
        {
            database = plan.Database?.Database,
            tables = tables.Count,
            rows = tables.Sum(t => t.Rows),
        }, cancellationToken);
        if (plan.PreRestoreBackupId is null && await IsCancelRequestedAsync(plan.JobId, cancellationToken))
        {
            await logs.WriteAsync(plan.JobId, JobLogLevel.Warning, "Cancel came too late", new
            {
                reason = "The database restore had committed and there is no pre-restore backup to put it back: the restore completes.",
            }, cancellationToken);
        }
        return new RestoreDatabaseOutcome(tables);
    }

    /// <summary>
    /// Step (skipped under <c>skipVerification</c>): every restored file and link checked in the live site against
    /// the backup's index. Once the database is restored without a pre-restore backup, a cancel no longer stops it.
    /// </summary>
    public async Task<InPlaceRestoreCounts?> VerifyAsync(RestoreStepInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = input.Plan;
        // The verification pass counts the written files again, from none.
        await catalog.RestoreJobs.UpdateAsync(plan.JobId, j => j with
        {
            Progress = JobProgressMath.WithTransfer(JobProgressMath.StartStep(j.Progress, RestoreJobSteps.Verify, RestoreJobSteps.Total), 0, 0),
        }, cancellationToken);
        var cancellable = !input.DatabaseRestored || plan.PreRestoreBackupId is not null;
        InPlaceRestoreCounts? counts = null;
        foreach (var part in ByPlace(plan))
        {
            var target = await TargetAsync(part, cancellationToken);
            using var site = Opened(target);
            var before = Done(counts, counts?.Verified);
            counts = Sum(counts, await WatchAsync(plan.JobId, cancellable, (watch, ct) => restorer.VerifyFilesAsync(target, ArchiveProgress.After(before, watch), ct), cancellationToken));
        }
        await CompleteStepAsync(plan.JobId, cancellationToken);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Restored files verified", new { verified = counts?.Verified ?? 0 }, cancellationToken);
        return counts;
    }

    /// <summary>
    /// Last step: set-aside folders and staging removed (from here on nothing rolls back), the job completed with
    /// what it changed, the metric recorded. A cancel asked for meanwhile is too late now, and the log says so.
    /// </summary>
    public async Task<RestoreJob> CompleteAsync(RestoreFinishInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var plan = input.Plan;
        await StartStepAsync(plan.JobId, RestoreJobSteps.Complete, cancellationToken);
        InPlaceRestoreCounts? completed = null;
        if (plan.RestoresFiles)
        {
            foreach (var part in ByPlace(plan))
            {
                var target = await TargetAsync(part, cancellationToken);
                using var site = Opened(target);
                completed = Sum(completed, await restorer.CompleteAsync(target, cancellationToken));
            }
        }
        var files = input.Files ?? completed;
        var now = time.GetUtcNow();
        var cancelTooLate = false;
        var job = await catalog.RestoreJobs.UpdateAsync(plan.JobId, j =>
        {
            cancelTooLate = j.CancelRequested;
            return j.IsFinished ? j : j with
            {
                Status = RestoreJobStatus.Completed,
                CompletedAt = now,
                Error = null,
                Result = ResultOf(files, input.Tables, now - (j.StartedAt ?? plan.StartedAt)),
                Progress = JobProgressMath.Recompute(j.Progress with { CompletedSteps = j.Progress.TotalSteps, CurrentStep = null, Eta = null }),
            };
        }, cancellationToken);
        if (cancelTooLate)
        {
            await logs.WriteAsync(plan.JobId, JobLogLevel.Warning, "Cancel came too late", new
            {
                reason = "The restore had reached a point from which nothing could put the database back: it completed.",
            }, cancellationToken);
        }
        metrics.RestoreFinished(job, plan.ConfigName);
        // A good restore ends what an earlier failed one raised for the config.
        await catalog.Alerts.ResolveAsync(AlertTypes.IdFor(AlertTypes.RestoreFailed, plan.ConfigId), cancellationToken);
        logger.LogInformation("Restore job {JobId} of backup {BackupId} completed", plan.JobId, plan.BackupId);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Restore completed", new
        {
            backupId = plan.BackupId,
            filesCreated = job.Result?.FilesCreated,
            filesOverwritten = job.Result?.FilesOverwritten,
            filesUnchanged = job.Result?.FilesUnchanged,
            filesDeleted = job.Result?.FilesDeleted,
            filesSkipped = job.Result?.FilesSkipped,
            bytes = job.Result?.Bytes,
            tables = job.Result?.Tables.Count,
            durationSeconds = job.Result?.DurationSeconds,
            preRestoreBackupId = plan.PreRestoreBackupId,
        }, cancellationToken);
        return job;
    }

    /// <summary>Rollback: the live components put back as before the swap, and the staging removed (safe in any state before completion).</summary>
    public async Task RollbackFilesAsync(RestoreJobPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (!plan.RestoresFiles)
            return;
        await catalog.RestoreJobs.UpdateAsync(plan.JobId, j => j with { Progress = j.Progress with { CurrentStep = RestoreJobSteps.Rollback } }, cancellationToken);
        var reverted = true;
        foreach (var part in ByPlace(plan))
        {
            var target = await TargetAsync(part, cancellationToken);
            using var site = Opened(target);
            // Every place, even after one could not be put back: the others still can.
            reverted &= await restorer.RollbackFilesAsync(target, cancellationToken);
        }
        if (!reverted)
        {
            // A site source without folder renames (Blob) had begun overwriting: only the pre-restore backup undoes it.
            await logs.WriteAsync(plan.JobId, JobLogLevel.Error, "Files not rolled back: restore the pre-restore backup to undo the restore",
                new { components = plan.Components }, cancellationToken);
            return;
        }
        logger.LogWarning("Restore job {JobId}: files rolled back", plan.JobId);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Warning, "Files rolled back", new { components = plan.Components }, cancellationToken);
    }

    /// <summary>Rollback: the database restored from the pre-restore backup (whole), after a restore that committed.</summary>
    /// <exception cref="InvalidOperationException">There is no pre-restore backup.</exception>
    public async Task<IReadOnlyList<TableRowCount>> RollbackDatabaseAsync(RestoreJobPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var backupId = plan.PreRestoreBackupId ?? throw new InvalidOperationException("There is no pre-restore backup to put the database back from.");
        var backup = await catalog.Backups.GetAsync(backupId, cancellationToken)
            ?? throw new InvalidOperationException($"The pre-restore backup '{backupId}' no longer exists.");
        await catalog.RestoreJobs.UpdateAsync(plan.JobId, j => j with { Progress = j.Progress with { CurrentStep = RestoreJobSteps.Rollback } }, cancellationToken);
        var target = await TargetAsync(plan, cancellationToken, files: false) with
        {
            BackupId = backupId,
            SiteRoot = null,
            Items = null,
            Components = null,
            OverwriteExisting = true,
            AllowUnencrypted = EncryptionAlgorithms.IsNone(backup.Encryption),
        };
        // Never stopped by the cancel flag: this is what a cancel asked for.
        var tables = await restorer.RestoreDatabaseAsync(target, cancellationToken) ?? [];
        logger.LogWarning("Restore job {JobId}: database put back from pre-restore backup {BackupId}", plan.JobId, backupId);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Warning, "Database rolled back from the pre-restore backup", new
        {
            backupId,
            tables = tables.Count,
        }, cancellationToken);
        return tables;
    }

    /// <summary>
    /// Ends a restore that did not go through: <c>cancelled</c> or <c>failed</c> when nothing live was touched,
    /// <c>rolled_back</c> when everything touched was put back, else <c>failed</c> with a critical <c>restore_failed</c>
    /// alert that says what state the site and database are in and which pre-restore backup brings back the state
    /// before. Safe to call more than once: an ended job keeps how it ended.
    /// </summary>
    public async Task<RestoreJob> FailAsync(RestoreFailureInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var touched = input.FilesSwapped || input.DatabaseChanged;
        var rolledBack = touched && input.RollbackErrors.Count == 0
            && (!input.FilesSwapped || input.FilesRolledBack)
            && (!input.DatabaseChanged || input.DatabaseRolledBack);
        var status = !touched ? (input.Cancelled ? RestoreJobStatus.Cancelled : RestoreJobStatus.Failed)
            : rolledBack ? RestoreJobStatus.RolledBack
            : RestoreJobStatus.Failed;
        var error = !touched ? $"{input.Error} Nothing live was changed."
            : rolledBack ? $"{input.Error} Rolled back: {PutBack(input)}."
            : $"{input.Error} The rollback did not put everything back: {State(input)}";

        var now = time.GetUtcNow();
        var endedOtherwise = false;
        var job = await catalog.RestoreJobs.UpdateAsync(input.JobId, j =>
        {
            endedOtherwise = j.IsFinished && j.Status != status;
            return j.IsFinished ? j : j with
            {
                Status = status,
                CompletedAt = now,
                Error = error,
                Result = touched ? ResultOf(input.Files, input.Tables, now - (j.StartedAt ?? now)) : null,
                Progress = j.Progress with { Eta = null, CurrentStep = null },
            };
        }, cancellationToken);
        if (endedOtherwise)
        {
            logger.LogInformation("Restore job {JobId} had already ended ({Status}); its status is kept", input.JobId, RestoreJobStatusWords.Of(job.Status));
            return job;
        }

        var level = status == RestoreJobStatus.Failed ? JobLogLevel.Error : JobLogLevel.Warning;
        var message = status switch
        {
            RestoreJobStatus.Cancelled => "Restore cancelled",
            RestoreJobStatus.RolledBack => "Restore rolled back",
            _ => "Restore failed",
        };
        logger.Log(status == RestoreJobStatus.Failed ? LogLevel.Error : LogLevel.Warning, "Restore job {JobId}: {Outcome}: {Error}", input.JobId, message, error);
        await logs.WriteAsync(input.JobId, level, message, new
        {
            error,
            filesRolledBack = input.FilesSwapped ? input.FilesRolledBack : (bool?)null,
            databaseRolledBack = input.DatabaseChanged ? input.DatabaseRolledBack : (bool?)null,
            rollbackErrors = input.RollbackErrors,
            preRestoreBackupId = input.Plan?.PreRestoreBackupId,
        }, cancellationToken);

        var configName = input.Plan?.ConfigName ?? (await catalog.Configs.GetAsync(job.ConfigId, cancellationToken))?.Config.Name ?? "";
        metrics.RestoreFinished(job, configName);
        if (status == RestoreJobStatus.Failed || status == RestoreJobStatus.RolledBack)
        {
            var critical = status == RestoreJobStatus.Failed && touched;
            await catalog.Alerts.RaiseAsync(new BackupAlert
            {
                Id = AlertTypes.IdFor(AlertTypes.RestoreFailed, job.ConfigId),
                Type = AlertTypes.RestoreFailed,
                Severity = critical ? AlertSeverities.Critical : AlertSeverities.High,
                ConfigId = job.ConfigId,
                BackupId = job.BackupId,
                Message = critical
                    ? $"Restore {job.Id} of backup {job.BackupId} failed and could not be rolled back. {State(input)} {Undo(input)}"
                    : $"Restore {job.Id} of backup {job.BackupId} {(status == RestoreJobStatus.RolledBack ? "was rolled back" : "failed")}: {error}",
                CreatedAt = now,
            }, cancellationToken);
        }
        return job;
    }

    /// <summary>
    /// Ends a restore job nothing moves any more (the watchdog's verdict): its files are put back from their journal
    /// (<see cref="InPlaceFileRestore.CleanupLeftovers"/>; a job that had begun completing is completed), and the job
    /// ends as <see cref="FailAsync"/> decides from the step it had reached. A database step that may have committed
    /// is not undone here (a timer does not run restores): the critical alert names the pre-restore backup that does.
    /// </summary>
    public async Task<RestoreJob> AbandonAsync(RestoreJob job, string reason, bool cancelled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var step = job.Progress.CurrentStep;
        var swapped = step is RestoreJobSteps.SwapFiles or RestoreJobSteps.RestoreDatabase or RestoreJobSteps.Verify or RestoreJobSteps.Complete or RestoreJobSteps.Rollback;
        var databaseChanged = step is RestoreJobSteps.RestoreDatabase or RestoreJobSteps.Verify or RestoreJobSteps.Complete;
        var errors = new List<string>();
        var filesBack = false;
        var stored = await catalog.Configs.GetAsync(job.ConfigId, cancellationToken);
        var root = job.Options.TargetPath ?? stored?.Config.Files?.Root;
        if (root is not null && siteRoots.Check(root, out var real) is null)
        {
            var running = new HashSet<string>(StringComparer.Ordinal);
            await foreach (var active in catalog.RestoreJobs.ActiveAsync(job.ConfigId, cancellationToken))
                running.Add(active.Id);
            running.Remove(job.Id);
            var outcome = InPlaceFileRestore.CleanupLeftovers(real, running).FirstOrDefault(l => l.JobId == job.Id)?.Outcome;
            filesBack = outcome is RestoreLeftover.RolledBack || (outcome is null && !swapped);
            if (outcome == RestoreLeftover.Completed)
                errors.Add("the files had been restored and verified (their completion was finished)");
            else if (swapped && !filesBack)
                errors.Add(outcome == RestoreLeftover.Left ? "a set-aside folder without its journal was left for the operator" : "no journal of the swap was found");
        }
        else if (swapped)
        {
            errors.Add("the site root could not be checked, so its files were not put back");
        }
        if (databaseChanged)
            errors.Add("the watchdog does not restore databases");
        var plan = new RestoreJobPlan(job.Id, job.ConfigId, stored?.Config.Name ?? "", job.BackupId, stored?.Config.Storage ?? new StorageDestination(), job.StartedAt ?? job.CreatedAt)
        {
            Components = stored?.Config.Files?.Components,
            PreRestoreBackupId = job.PreRestoreBackupId,
        };
        return await FailAsync(new RestoreFailureInput(job.Id, reason, plan)
        {
            Cancelled = cancelled,
            FilesSwapped = swapped,
            DatabaseChanged = databaseChanged,
            FilesRolledBack = swapped && filesBack,
            RollbackErrors = errors,
        }, cancellationToken);
    }

    /// <summary>Whether the job's cancel has been asked for (the step that runs next decides what that means).</summary>
    public async Task<bool> IsCancelRequestedAsync(string jobId, CancellationToken cancellationToken)
        => await catalog.RestoreJobs.GetAsync(jobId, cancellationToken) is { CancelRequested: true };

    private static string PutBack(RestoreFailureInput input)
    {
        var parts = new List<string>();
        if (input.FilesSwapped)
            parts.Add($"the site's components ({string.Join(", ", input.Files?.Components ?? input.Plan?.Components ?? [])}) are back as they were");
        if (input.DatabaseChanged)
            parts.Add($"the database is back as it was (restored from pre-restore backup {input.Plan?.PreRestoreBackupId})");
        else if (input.Plan?.Database is not null)
            parts.Add("the database was not changed (its restore did not commit)");
        return string.Join("; ", parts);
    }

    /// <summary>Exactly what state the site and the database are left in, for the job's error and the critical alert.</summary>
    private static string State(RestoreFailureInput input)
    {
        var backupId = input.Plan?.BackupId;
        var files = !input.FilesSwapped ? "Site files: unchanged."
            : input.FilesRolledBack ? "Site files: put back as before the restore."
            : $"Site files: NOT put back — components {string.Join(", ", input.Plan?.Components ?? [])} may be (partly) the backup's {backupId}, "
                + "with the old folders kept beside them as '<component>.replaced-" + input.JobId + "'.";
        var database = !input.DatabaseChanged ? "Database: unchanged."
            : input.DatabaseRolledBack ? "Database: put back from the pre-restore backup."
            : $"Database: NOT put back — it holds the restore of backup {backupId}.";
        var errors = input.RollbackErrors.Count == 0 ? "" : " Rollback errors: " + string.Join("; ", input.RollbackErrors) + ".";
        return $"{files} {database}{errors}";
    }

    private static string Undo(RestoreFailureInput input) => input.Plan?.PreRestoreBackupId is { } id
        ? $"Pre-restore backup {id} holds the site and database as they were before the restore: restore it (POST /api/backups/{id}/restore)."
        : "No pre-restore backup was taken: the state before the restore can only come from an earlier backup.";

    private static RestoreJobResult ResultOf(InPlaceRestoreCounts? files, IReadOnlyList<TableRowCount>? tables, TimeSpan duration) => new()
    {
        FilesCreated = files?.Created ?? 0,
        FilesOverwritten = files?.Overwritten ?? 0,
        FilesUnchanged = files?.Unchanged ?? 0,
        FilesDeleted = files?.Deleted ?? 0,
        FilesSkipped = files?.Skipped ?? 0,
        Bytes = files?.Bytes ?? 0,
        Tables = tables ?? [],
        DurationSeconds = Math.Round(Math.Max(0, duration.TotalSeconds), 3),
    };

    private static object Describe(InPlaceRestoreCounts? counts) => new
    {
        components = counts?.Components,
        created = counts?.Created ?? 0,
        overwritten = counts?.Overwritten ?? 0,
        deleted = counts?.Deleted ?? 0,
        skipped = counts?.Skipped ?? 0,
        bytes = counts?.Bytes ?? 0,
    };

    /// <summary>
    /// Where the restored components live when the site is not (only) a local folder: one place for them all, local
    /// (its confined root) or not (its settings); or, when they live in different places (uploads in Blob, themes over
    /// SFTP), one <see cref="RestoreSitePlace"/> per place, each staged and swapped on its own.
    /// </summary>
    private (string? Root, Sources.Sites.SiteSourceSettings? Source, IReadOnlyList<RestoreSitePlace>? Places) InPlaceSite(
        FilesSource files, IReadOnlyList<string> components)
    {
        var places = components.GroupBy(files.SourceOf)
            .Select(g => Place(g.Key, [.. g]))
            .ToList();
        if (places.Count > 1)
            return (null, null, places);
        var place = places.Count == 1 ? places[0] : Place(files.MainSource(), components);
        return (place.Root, place.Source, null);
    }

    private RestoreSitePlace Place(Sources.Sites.SiteSourceSettings source, IReadOnlyList<string> components) =>
        source.Type == Sources.Sites.SiteSourceTypes.Local
            ? new RestoreSitePlace(siteRoots.Confine(new FilesSource { Root = source.Root ?? "", Components = components }).Root, null, components)
            : new RestoreSitePlace(null, source, components);

    /// <summary>The plan as each place's files steps see it: itself for one place, one plan per place otherwise.</summary>
    private static IEnumerable<RestoreJobPlan> ByPlace(RestoreJobPlan plan) => plan.SitePlaces is { Count: > 0 } places
        ? places.Select(p => plan with { SiteRoot = p.Root, SiteSource = p.Source, Components = p.Components, SitePlaces = null })
        : [plan];

    private static InPlaceRestoreCounts? Sum(InPlaceRestoreCounts? a, InPlaceRestoreCounts? b) => a is null ? b : b is null ? a : new(
        [.. a.Components.Concat(b.Components).Order(StringComparer.Ordinal)],
        a.Created + b.Created, a.Overwritten + b.Overwritten, a.Deleted + b.Deleted, a.Skipped + b.Skipped, a.Bytes + b.Bytes,
        a.Verified + b.Verified, a.Unchanged + b.Unchanged);

    /// <summary>What the places before this one did: files (as <paramref name="files"/> counts them) and the bytes written.</summary>
    private static ArchiveProgress Done(InPlaceRestoreCounts? counts, long? files) => new(files ?? 0, counts?.Bytes ?? 0);

    /// <summary>Releases the step's site target (an SFTP one holds connections) when the step ends.</summary>
    private static IDisposable? Opened(InPlaceRestoreTarget target) => target.SiteTarget as IDisposable;

    /// <summary>The step's target, with the connection (and its password) resolved now, never stored.</summary>
    /// <param name="files">False for the database steps: no site target is opened (an SFTP one would log in).</param>
    private async Task<InPlaceRestoreTarget> TargetAsync(RestoreJobPlan plan, CancellationToken cancellationToken, bool files = true)
    {
        var store = await stores.OpenAsync(plan.Storage, cancellationToken);
        var database = plan.Database is { } source ? await databases.ConnectForRestoreAsync(source, cancellationToken) : null;
        return new InPlaceRestoreTarget(plan.JobId, store, plan.Storage.Prefix, plan.BackupId, plan.SiteRoot, database)
        {
            SiteTarget = files && plan.SiteSource is { } site
                ? (siteSources ?? throw new InvalidOperationException("No site source factory is registered.")).OpenTarget(site)
                : null,
            Components = plan.Components,
            Items = plan.Items,
            OverwriteExisting = plan.OverwriteExisting,
            LockTimeout = TimeSpan.FromSeconds(plan.LockTimeoutSeconds),
            AllowUnencrypted = plan.Unencrypted,
            MaxParallelVolumes = options.Value.MaxParallelVolumes,
        };
    }

    private Task<T> WatchAsync<T>(string jobId, bool watchCancel, Func<RestoreJobWatch, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        => RestoreJobWatch.WatchAsync(catalog, jobId, time, _progressInterval, watchCancel, logger, work, cancellationToken);

    private Task StartStepAsync(string jobId, string step, CancellationToken cancellationToken)
        => catalog.RestoreJobs.UpdateAsync(jobId, j => j with { Progress = JobProgressMath.StartStep(j.Progress, step, RestoreJobSteps.Total) }, cancellationToken);

    private Task CompleteStepAsync(string jobId, CancellationToken cancellationToken)
        => catalog.RestoreJobs.UpdateAsync(jobId, j => j with { Progress = JobProgressMath.CompleteStep(j.Progress) }, cancellationToken);
}
