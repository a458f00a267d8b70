using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Health;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;

namespace BackupFunctions.Core.Backups;

/// <summary>
/// The steps of one backup (docs/design.md, 'The data flow of a backup'), each idempotent so that a retried activity
/// rewrites the same objects.
/// The Functions app calls one method per activity; nothing here knows about the Functions host.
/// </summary>
public sealed class BackupRunner(
    BackupCatalog catalog,
    StorageLocations stores,
    BackupCopies copies,
    IKeyEncryptionKey keyEncryptionKey,
    BackupWriter writer,
    DatabaseConnections databases,
    Sources.Sites.SiteSources siteSources,
    TimeProvider time,
    ILogger<BackupRunner> logger,
    JobLogs logs,
    FailureAlerts alerts,
    BackupMetrics metrics,
    DataKeyTransit? transit = null,
    JobOptions? jobs = null,
    VolumeOptions? volumes = null)
{
    private readonly TimeSpan _progressInterval = (jobs ?? new JobOptions()).ProgressInterval;
    private readonly VolumeOptions _volumes = volumes ?? new VolumeOptions();

    /// <summary>Runs before each volume is written (tests slow a volume down to stop the host while it is written).</summary>
    internal Func<VolumeInput, CancellationToken, Task> BeforeVolume { get; init; } = (_, _) => Task.CompletedTask;

    /// <summary>Puts a store around each opened destination; tests hold a put in flight through it.</summary>
    internal Func<Configs.StorageDestination, IBackupStore, IBackupStore> WrapStore { get; init; } = (_, store) => store;

    /// <summary>Marks the job running and fixes the plan from the config as it is now.</summary>
    public async Task<BackupPlan> StartJobAsync(BackupRequest request, CancellationToken cancellationToken)
    {
        var stored = await catalog.Configs.GetAsync(request.ConfigId, cancellationToken)
            ?? throw new InvalidOperationException($"Backup config '{request.ConfigId}' does not exist.");
        var now = time.GetUtcNow();
        if (await catalog.Jobs.GetAsync(request.JobId, cancellationToken) is { CancelRequested: true })
            throw JobCancelledException.For(request.JobId);
        // A disabled storage location takes no new backup: a disabled primary fails the run before anything is
        // written, saying which; a disabled replica is left out of this run (a warning on the backup).
        if (await stores.DisabledReasonAsync(stored.Config.Storage, cancellationToken) is { } disabled)
            throw new InvalidOperationException(disabled);
        var skipped = new Dictionary<int, string>();
        for (var i = 0; i < stored.Config.Replicas.Count; i++)
        {
            if (await stores.DisabledReasonAsync(stored.Config.Replicas[i], cancellationToken) is { } reason)
                skipped[i + 1] = reason;
        }
        var parts = stored.Config.WithPartsOfType();
        var job = await catalog.Jobs.UpdateAsync(request.JobId, j => j with
        {
            Status = JobStatus.Running,
            StartedAt = j.StartedAt ?? now,
            // What the config's parts make; planning the files may make it incremental (a retried start keeps that).
            Type = j.Type ?? BackupTypes.OfParts(parts.Database is not null, parts.Files is not null),
            Progress = JobProgressMath.CompleteStep(JobProgressMath.StartStep(j.Progress, BackupSteps.CreateJob, BackupSteps.Total)),
        }, cancellationToken);
        logger.LogInformation("Backup job {JobId} of config {ConfigId} started", request.JobId, request.ConfigId);
        await logs.WriteAsync(request.JobId, JobLogLevel.Info, "Backup started", new
        {
            configId = request.ConfigId,
            database = stored.Config.Database is not null,
            files = stored.Config.Files is not null,
            replicas = stored.Config.Replicas.Count,
        }, cancellationToken);
        foreach (var reason in skipped.Values)
            await logs.WriteAsync(request.JobId, JobLogLevel.Warning, "Replica left out of this run", new { reason }, cancellationToken);
        // The config's type picks the parts: a 'database' config with site files set backs up only the database.
        return new BackupPlan(request.JobId, request.JobId, request.ConfigId, parts, job.StartedAt ?? now)
        {
            SkippedCopies = skipped.Count > 0 ? skipped : null,
        };
    }

    /// <summary>
    /// Makes a fresh random data key for this backup and returns it wrapped. The plain key is zeroed before returning:
    /// it never leaves this method, so it never reaches orchestration history. Returns null when the config's
    /// encryption is <c>none</c>: such a backup has no data key.
    /// </summary>
    public async Task<PreparedKey?> PrepareKeyAsync(BackupPlan plan, CancellationToken cancellationToken)
    {
        await StartStepAsync(plan.JobId, BackupSteps.PrepareKey, cancellationToken);
        if (PartSettingsFor(plan.Config).Encryption == EncryptionAlgorithm.None)
        {
            await CompleteStepAsync(plan.JobId, cancellationToken);
            return null;
        }
        var dataKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            // The config's keyDerivation picks the passphrase KDF; other keys derive nothing from a passphrase.
            var envelope = keyEncryptionKey is PassphraseKek passphrase && plan.Config.Encryption.KeyDerivation is { } kdf
                ? await passphrase.WrapAsync(dataKey, KeyDerivations.KekName(kdf), cancellationToken)
                : await keyEncryptionKey.WrapAsync(dataKey, cancellationToken);
            await CompleteStepAsync(plan.JobId, cancellationToken);
            return new PreparedKey(envelope, transit?.Seal(dataKey, plan.BackupId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Streams pg_dump → zstd → AEAD → the destination as <c>db.part</c>.</summary>
    public async Task<DatabasePartResult> DumpDatabaseAsync(PartInput input, CancellationToken cancellationToken)
    {
        var plan = input.Plan;
        var source = plan.Config.Database ?? throw new InvalidOperationException("The config has no database to dump.");
        await StartStepAsync(plan.JobId, BackupSteps.DumpDatabase, cancellationToken);
        // Resolved and checked now, not at create time: the config may be older than the check, and a name may resolve
        // elsewhere today. A refused host fails the step before anything is sent to it.
        var connection = await databases.ConnectToAsync(source, cancellationToken);
        var store = await OpenAsync(plan.Config.Storage, cancellationToken);
        var dataKey = await OpenDataKeyAsync(input.Key, plan.BackupId, cancellationToken);
        try
        {
            // The watch reports the dump's bytes and stops pg_dump when the job is cancelled.
            var result = await JobProgressReporter.WatchAsync(catalog, plan.JobId, time, _progressInterval, logger,
                (watch, ct) => writer.WriteDatabaseAsync(store, plan.Folder, plan.BackupId, PartSettingsFor(plan.Config), dataKey, connection, ct, watch,
                    plan.Config.RestoreDrill is { Checks.Count: > 0 } drill ? new Restores.Drills.DrillCheckRun(drill.Checks, dataKey, plan.BackupId) : null),
                cancellationToken);
            var part = result.Part;
            await CompleteStepAsync(plan.JobId, cancellationToken);
            logger.LogInformation("Job {JobId}: database {Database} dumped, {PlainBytes} bytes → {StoredBytes} stored",
                plan.JobId, connection.ToString(), part.PlainSize, part.StoredSize);
            await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Database dumped", new
            {
                database = source.Database,
                tables = result.Source.Tables.Count,
                dumpBytes = part.PlainSize,
                storedBytes = part.StoredSize,
            }, cancellationToken);
            foreach (var check in result.Source.Checks ?? [])
            {
                // Only the SQLSTATE: the server's message may quote data. The drill of this backup will fail the check.
                if (check.Error is { } sqlState)
                {
                    logger.LogWarning("Job {JobId}: restore-drill check {Check} failed on the live database (SQLSTATE {SqlState})", plan.JobId, check.Name, sqlState);
                    await logs.WriteAsync(plan.JobId, JobLogLevel.Warning, "Restore-drill check failed", new { check = check.Name, sqlState }, cancellationToken);
                }
            }
            if (result.Source.Checks is { Count: > 0 } recorded)
                await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Restore-drill checks recorded", new { checks = recorded.Count }, cancellationToken);
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// The files of a backup in one call: plan, every volume one after another, joined index (what the orchestration
    /// does as separate activities). The working objects stay until the manifest is written.
    /// </summary>
    public async Task<FilesPartResult> ArchiveFilesAsync(PartInput input, CancellationToken cancellationToken)
    {
        var planned = await PlanFilesAsync(input, cancellationToken);
        var written = new List<VolumeResult>(planned.Volumes);
        for (var number = 1; number <= planned.Volumes; number++)
            written.Add(await ArchiveVolumeAsync(new VolumeInput(input.Plan, input.Key, planned.Plan, number)
            {
                Uncompressed = planned.SeparateVolumes.Contains(number),
            }, cancellationToken));
        return await AssembleIndexAsync(new IndexInput(input.Plan, input.Key, planned, written), cancellationToken);
    }

    /// <summary>
    /// Walks the site once and stores the plan (<see cref="ObjectNames.Plan"/>: which entry goes into which volume) in
    /// the primary destination; returns only small numbers, for orchestration history. Sets the job's totals.
    /// </summary>
    public async Task<VolumePlanResult> PlanFilesAsync(PartInput input, CancellationToken cancellationToken)
    {
        var plan = input.Plan;
        var source = SourceOf(plan);
        using var connection = source as IDisposable; // a remote source's connection
        await StartStepAsync(plan.JobId, BackupSteps.ArchiveFiles, cancellationToken);
        var store = await OpenAsync(plan.Config.Storage, cancellationToken);
        var dataKey = await OpenDataKeyAsync(input.Key, plan.BackupId, cancellationToken);
        var (incremental, reason) = plan.Config.Type == BackupTypes.Incremental
            ? await OpenIncrementalBaseAsync(plan, store, cancellationToken)
            : (null, null);
        try
        {
            if (reason is not null)
            {
                logger.LogInformation("Job {JobId}: {Decision}", plan.JobId, reason);
                await logs.WriteAsync(plan.JobId, incremental is null ? JobLogLevel.Warning : JobLogLevel.Info,
                    incremental is null ? "Full backup instead of incremental" : "Incremental backup", new { reason, baseBackupId = incremental?.Manifest.BackupId }, cancellationToken);
            }
            var planned = await FileVolumes.PlanAsync(store, plan.Folder, plan.BackupId, PartSettingsFor(plan.Config), dataKey, source,
                _volumes.Limits, _volumes.StoreCompressedAsIs ? CompressedFiles.Separator(source) : null,
                incremental, plan.Config.Incremental?.Compare == IncrementalOptions.CompareHash, cancellationToken);
            await catalog.Jobs.UpdateAsync(plan.JobId, j => j with
            {
                // A retried plan starts the count again: the volumes' progress adds up from zero.
                Progress = JobProgressMath.WithTransfer(JobProgressMath.WithTotals(j.Progress, planned.Files, planned.Bytes), 0, 0),
                // What this run makes, decided here: incremental on its base, or what the parts make it.
                Type = planned.Incremental is null ? BackupTypes.OfParts(plan.Config.Database is not null, true) : BackupTypes.Incremental,
                BaseBackupId = planned.Incremental?.BaseBackupId,
                Comparison = planned.Incremental is { } i ? new IncrementalCounts(i.Added, i.Modified, i.Unchanged, i.Deleted) : null,
            }, cancellationToken);
            logger.LogInformation("Job {JobId}: {Files} files ({Bytes} bytes) planned in {Volumes} volumes", plan.JobId, planned.Files, planned.Bytes, planned.Volumes);
            await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Files planned", new
            {
                files = planned.Files,
                folders = planned.Folders,
                bytes = planned.Bytes,
                volumes = planned.Volumes,
                uncompressedVolumes = planned.SeparateVolumes.Count,
                baseBackupId = planned.Incremental?.BaseBackupId,
                addedFiles = planned.Incremental?.Added,
                modifiedFiles = planned.Incremental?.Modified,
                unchangedFiles = planned.Incremental?.Unchanged,
                deletedFiles = planned.Incremental?.Deleted,
            }, cancellationToken);
            return planned with { MaxParallelVolumes = _volumes.MaxParallelVolumes };
        }
        finally
        {
            incremental?.Dispose();
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// The base of an <c>incremental</c> config's run (<see cref="IncrementalPolicy"/>): the newest earlier backup of the
    /// config with files, from the catalog, opened from the primary destination; or null and why the run is full.
    /// </summary>
    private async Task<(IncrementalBase? Base, string Reason)> OpenIncrementalBaseAsync(BackupPlan plan, IBackupStore store, CancellationToken cancellationToken)
    {
        var earlier = new List<BaseCandidate>();
        await foreach (var record in catalog.Backups.OfConfigAsync(plan.ConfigId, cancellationToken))
        {
            if (record.Id == plan.BackupId)
                continue;
            earlier.Add(new BaseCandidate(record.Id, record.CreatedAt, record.Statistics.Files + record.Statistics.Folders > 0, record.Status switch
            {
                BackupStatuses.VerificationFailed => "failed verification",
                BackupStatuses.Deleting => "is being deleted",
                _ => null,
            }));
        }
        var options = plan.Config.Incremental ?? new IncrementalOptions();
        var encrypted = EncryptionAlgorithms.Parse(plan.Config.Encryption.Algorithm) != EncryptionAlgorithm.None;
        var chosen = IncrementalPolicy.ChooseBase(earlier);
        if (chosen.BaseBackupId is { } baseId)
        {
            // Published before it is checked (Retention.ChainProtection): retention marks a backup deleting before it
            // asks which runs use it, so either it sees this job's base and waits, or the check here sees the mark.
            await catalog.Jobs.UpdateAsync(plan.JobId, j => j with { Type = BackupTypes.Incremental, BaseBackupId = baseId }, cancellationToken);
            if (await Retention.ChainProtection.UnusableBaseReasonAsync(catalog, baseId, cancellationToken) is { } unusable)
            {
                await catalog.Jobs.UpdateAsync(plan.JobId, j => j with { BaseBackupId = null }, cancellationToken);
                return (null, $"full: {unusable}");
            }
        }
        var opened = await IncrementalBase.OpenChosenAsync(store, plan.Config.Storage.Prefix, chosen,
            keyEncryptionKey, encrypted, options.FullEvery, cancellationToken);
        if (opened.Base is null && chosen.BaseBackupId is not null)
            await catalog.Jobs.UpdateAsync(plan.JobId, j => j with { BaseBackupId = null }, cancellationToken);
        return opened;
    }

    /// <summary>
    /// Writes one volume of the stored plan and its index entries. Idempotent: a retry rewrites the same two objects.
    /// Its files and bytes are added to the job's progress as they are written (volumes run in parallel).
    /// </summary>
    public async Task<VolumeResult> ArchiveVolumeAsync(VolumeInput input, CancellationToken cancellationToken)
    {
        var plan = input.Plan;
        var source = SourceOf(plan);
        using var connection = source as IDisposable; // a remote source's connection
        var store = await OpenAsync(plan.Config.Storage, cancellationToken);
        var dataKey = await OpenDataKeyAsync(input.Key, plan.BackupId, cancellationToken);
        try
        {
            return await JobProgressReporter.WatchAsync(catalog, plan.JobId, time, _progressInterval, logger,
                async (reporter, ct) =>
                {
                    await BeforeVolume(input, ct);
                    return await FileVolumes.WriteVolumeAsync(store, plan.Folder, plan.BackupId, PartSettingsFor(plan.Config), dataKey, source,
                        input.PlanPart, input.Number, input.Uncompressed, reporter, ct);
                },
                cancellationToken, additive: true);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Joins the volumes' index entries into <see cref="ObjectNames.Index"/> and completes the files step.</summary>
    public async Task<FilesPartResult> AssembleIndexAsync(IndexInput input, CancellationToken cancellationToken)
    {
        var plan = input.Plan;
        var store = await OpenAsync(plan.Config.Storage, cancellationToken);
        var dataKey = await OpenDataKeyAsync(input.Key, plan.BackupId, cancellationToken);
        try
        {
            var result = await FileVolumes.AssembleIndexAsync(store, plan.Folder, plan.BackupId, PartSettingsFor(plan.Config), dataKey,
                input.Planned, input.Volumes, cancellationToken);
            await catalog.Jobs.UpdateAsync(plan.JobId, j => j with
            {
                Progress = JobProgressMath.CompleteStep(JobProgressMath.WithTransfer(j.Progress, result.Files, result.Bytes)),
            }, cancellationToken);
            var stored = result.Volumes.Sum(v => v.StoredSize);
            logger.LogInformation("Job {JobId}: {Files} files ({Bytes} bytes) archived in {Volumes} volumes → {StoredBytes} stored",
                plan.JobId, result.Files, result.Bytes, result.Volumes.Count, stored);
            await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Files archived", new
            {
                files = result.Files,
                folders = result.Folders,
                bytes = result.Bytes,
                volumes = result.Volumes.Count,
                storedBytes = stored + result.Index.StoredSize,
            }, cancellationToken);
            await ReportNotesAsync(plan.JobId, result, cancellationToken);
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// The site of the config, its root checked again here, not only when the config was posted: the config may
    /// predate the rule, or the root may have been replaced by a link to elsewhere since.
    /// </summary>
    private ISiteSource SourceOf(BackupPlan plan) =>
        siteSources.Open(plan.Config.Files ?? throw new InvalidOperationException("The config has no site files to archive."));

    /// <summary>
    /// Names, in the job's row (replacing what a previous attempt of the step wrote) and log, the files that changed
    /// while they were archived and the components that are symbolic links: one log entry each for the listed ones and
    /// one for the rest. They never change the job's status (it still completes as <c>completed</c>, without an alert):
    /// the backup holds each file as its index describes it, and each linked component as the link it is. A linked
    /// component is logged as a warning all the same, since what it points to is not in the backup.
    /// </summary>
    private async Task ReportNotesAsync(string jobId, FilesPartResult result, CancellationToken cancellationToken)
    {
        await catalog.Jobs.UpdateAsync(jobId, j => j with
        {
            ChangedFiles = result.ChangedFiles,
            ChangedFileCount = result.ChangedFileCount,
            LinkedComponents = result.LinkedComponents,
            LinkedComponentCount = result.LinkedComponentCount,
        }, cancellationToken);

        if (result.ChangedFileCount > 0)
            logger.LogInformation("Job {JobId}: {Count} files changed while they were archived", jobId, result.ChangedFileCount);
        await LogNotesAsync(jobId, JobLogLevel.Info, result.ChangedFiles, result.ChangedFileCount,
            "File changed while archived", change => new { path = change.Path, change = change.Change },
            "More files changed while archived", cancellationToken);

        foreach (var linked in result.LinkedComponents)
        {
            logger.LogWarning("Job {JobId}: component {Component} is a symbolic link to {Target}; stored as a link, what it points to is not in the backup",
                jobId, linked.Component, linked.Target);
        }
        await LogNotesAsync(jobId, JobLogLevel.Warning, result.LinkedComponents, result.LinkedComponentCount,
            "Component is a symbolic link: what it points to is not in the backup", linked => new { component = linked.Component, target = linked.Target },
            "More components are symbolic links", cancellationToken);
    }

    /// <summary>One job log entry per listed note, then one with the count of those not listed.</summary>
    private async Task LogNotesAsync<T>(
        string jobId, JobLogLevel level, IReadOnlyList<T> listed, long count, string message, Func<T, object> context, string moreMessage,
        CancellationToken cancellationToken)
    {
        foreach (var note in listed)
            await logs.WriteAsync(jobId, level, message, context(note), cancellationToken);
        var unlisted = count - listed.Count;
        if (unlisted > 0)
            await logs.WriteAsync(jobId, level, moreMessage, new { count = unlisted }, cancellationToken);
    }

    /// <summary>
    /// Writes <c>manifest.json</c> last: the commit point of the backup. Refused (<see cref="JobCancelledException"/>)
    /// when the job is no longer running or its cancel was asked for — checked first, right before the put, and again
    /// after it (a manifest that landed after the job ended is removed again): a job the watchdog failed while this
    /// step hung never gets a manifest.
    /// </summary>
    public async Task<ManifestResult> WriteManifestAsync(ManifestInput input, CancellationToken cancellationToken)
    {
        var plan = input.Plan;
        await CommitGuard.EnsureMayCommitAsync(catalog, plan.JobId, plan.BackupId, cancellationToken);
        await StartStepAsync(plan.JobId, BackupSteps.WriteManifest, cancellationToken);
        var draft = new ManifestDraft(plan.BackupId, plan.ConfigId, plan.StartedAt, time.GetUtcNow(),
            PartSettingsFor(plan.Config), input.Key?.Stored, input.Database, input.Files);
        var store = await OpenAsync(plan.Config.Storage, cancellationToken);
        var dataKey = await OpenDataKeyAsync(input.Key, plan.BackupId, cancellationToken);
        ManifestResult result;
        try
        {
            (_, result) = await CommitGuard.CommitAsync(catalog, plan.JobId, plan.BackupId, store, plan.Folder + ObjectNames.Manifest, time, logger,
                (beforePut, ct) => BackupWriter.WriteManifestAsync(store, plan.Folder, draft, dataKey, ct, beforePut), cancellationToken);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
        if (input.Files is { } files)
        {
            // The plan and the volumes' own indexes have served: index.bin and the manifest hold what they said.
            try
            {
                await FileVolumes.RemoveWorkingObjectsAsync(store, plan.Folder, files.Volumes.Count, cancellationToken);
            }
            catch (StoreException e)
            {
                logger.LogWarning(e, "Backup {BackupId}: could not remove the plan and volume indexes; retention removes them with the backup", plan.BackupId);
            }
        }
        await CompleteStepAsync(plan.JobId, cancellationToken);
        await logs.WriteAsync(plan.JobId, JobLogLevel.Info, "Manifest written", new
        {
            originalBytes = result.Statistics.OriginalBytes,
            storedBytes = result.Statistics.StoredBytes,
            compressionRatio = result.Statistics.CompressionRatio,
        }, cancellationToken);
        return result;
    }

    /// <summary>
    /// Records the committed backup with what became of each copy, raises alerts for failed copies and
    /// verifications, and completes the job (with warnings when a copy failed).
    /// </summary>
    public async Task<BackupRecord> RecordBackupAsync(RecordInput input, CancellationToken cancellationToken)
    {
        var plan = input.Plan;
        // Last point of return: after this check the backup is recorded and a cancel is too late (the job completes).
        // A job that has ended meanwhile (the watchdog failed it) records nothing.
        await CommitGuard.EnsureMayCommitAsync(catalog, plan.JobId, plan.BackupId, cancellationToken);
        await StartStepAsync(plan.JobId, BackupSteps.RecordBackup, cancellationToken);
        var locations = await copies.DescribeAsync(plan, input.Manifest.ManifestName, input.Copies, cancellationToken);
        var trigger = (await catalog.Jobs.GetAsync(plan.JobId, cancellationToken))?.Trigger;
        var warnings = locations.Where(l => l.Status == "failed").Select(l => $"copy to {l.Location} failed: {l.Error}")
            .Concat(locations.Where(l => l.LastVerification is { Ok: false })
                .Select(l => $"{l.Location} failed verification: {string.Join("; ", l.LastVerification!.Problems)}"))
            .ToList();
        var record = new BackupRecord
        {
            Id = plan.BackupId,
            ConfigId = plan.ConfigId,
            JobId = plan.JobId,
            Type = input.Manifest.Type,
            BaseBackupId = input.Manifest.BaseBackupId,
            ReferencedBackupIds = input.Manifest.ReferencedBackupIds ?? [],
            Trigger = trigger,
            Status = BackupCopies.StatusOf(locations),
            CreatedAt = plan.StartedAt,
            CompletedAt = input.Manifest.CompletedAt,
            SizeBytes = input.Manifest.Statistics.StoredBytes + input.Manifest.Size,
            Checksum = input.Manifest.Sha256,
            CompressionRatio = input.Manifest.Statistics.CompressionRatio,
            Compression = plan.Config.Compression.Algorithm,
            Encryption = plan.Config.Encryption.Algorithm,
            Statistics = input.Manifest.Statistics,
            Locations = locations,
        };
        await catalog.Backups.UpsertAsync(record, cancellationToken);
        await copies.RaiseAlertsAsync(plan, locations, cancellationToken);
        // Before the job reads completed, so a client that sees it never finds backup_failed/backup_overdue still open.
        await alerts.BackupSucceededAsync(plan.ConfigId, cancellationToken);
        var now = time.GetUtcNow();
        var job = await catalog.Jobs.UpdateAsync(plan.JobId, j => j with
        {
            Status = warnings.Count == 0 ? JobStatus.Completed : JobStatus.CompletedWithWarnings,
            CompletedAt = now,
            DurationSeconds = Math.Round((now - (j.StartedAt ?? plan.StartedAt)).TotalSeconds, 3),
            BackupId = plan.BackupId,
            Result = BackupResult.Of(record, Math.Round((now - (j.StartedAt ?? plan.StartedAt)).TotalSeconds, 3)),
            // The manifest has the last word on what was made.
            Type = record.Type,
            BaseBackupId = record.BaseBackupId,
            Comparison = record.Comparison,
            Error = null,
            Warnings = warnings,
            // Done is done: steps a config does not have (no database, no replicas) count as finished.
            Progress = JobProgressMath.Recompute(j.Progress with { CompletedSteps = j.Progress.TotalSteps, CurrentStep = null }),
        }, cancellationToken);
        metrics.RunFinished(job, plan.Config.Name);
        metrics.BackupRecorded(record, plan.Config.Name);
        foreach (var location in locations.Where(l => l.LastVerification is not null))
            metrics.CopyVerified(plan.ConfigId, plan.Config.Name, location.LastVerification!.Level, location.LastVerification.Ok);
        logger.LogInformation("Backup {BackupId} recorded ({Status}): {StoredBytes} bytes stored, ratio {Ratio}, {Copies} copies",
            record.Id, record.Status, record.SizeBytes, record.CompressionRatio, locations.Count);
        foreach (var warning in warnings)
            logger.LogWarning("Backup {BackupId}: {Warning}", record.Id, warning);
        foreach (var location in locations)
        {
            await logs.WriteAsync(plan.JobId, location.Status == "ok" && location.LastVerification is not { Ok: false } ? JobLogLevel.Info : JobLogLevel.Warning,
                location.Status != "ok" ? $"Copy {location.Index} failed" : $"Copy {location.Index} made",
                new
                {
                    index = location.Index,
                    location = location.Location,
                    primary = location.Primary,
                    error = location.Error,
                    verified = location.LastVerification?.Ok,
                    problems = location.LastVerification?.Problems,
                }, cancellationToken);
        }
        await logs.WriteAsync(plan.JobId, warnings.Count == 0 ? JobLogLevel.Info : JobLogLevel.Warning,
            warnings.Count == 0 ? "Backup completed" : "Backup completed with warnings", new
            {
                backupId = record.Id,
                status = record.Status,
                sizeBytes = record.SizeBytes,
                compressionRatio = record.CompressionRatio,
                copies = locations.Count,
                warnings,
            }, cancellationToken);
        await RemoveTemporariesAsync(plan, locations, cancellationToken);
        return record;
    }

    /// <summary>
    /// Removes from each copy made the temporary objects of this run's interrupted uploads (a step whose first attempt
    /// died mid-put and whose retry succeeded): the run is over, nothing of it is still writing. Best effort: the
    /// backup is recorded, and retention sweeps what is left after the grace period.
    /// </summary>
    private async Task RemoveTemporariesAsync(BackupPlan plan, IReadOnlyList<BackupLocation> locations, CancellationToken cancellationToken)
    {
        foreach (var location in locations.Where(l => l.Status == "ok"))
        {
            try
            {
                await copies.RemoveTemporariesAsync(new ReplicaInput(plan, location.Index), cancellationToken);
            }
            catch (Exception e) when (e is StoreException or InvalidOperationException)
            {
                logger.LogWarning(e, "Backup {BackupId}: could not remove temporary objects from {Location}", plan.BackupId, location.Location);
            }
        }
    }

    /// <summary>
    /// Fails the job with the error — or, for <see cref="FailureInput.Cancelled"/>, marks it cancelled — and removes what
    /// the run wrote from every destination, manifest first: without a recorded backup those objects are garbage.
    /// Safe to call when nothing was written, and more than once.
    /// </summary>
    public async Task FailJobAsync(FailureInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var leftovers = new List<string>();
        if (input.Plan is { } plan)
        {
            // Every copy: a failure after replication started must not leave a complete copy anywhere.
            for (var index = 0; index <= plan.Config.Replicas.Count; index++)
            {
                try
                {
                    await copies.RemoveCopyAsync(new ReplicaInput(plan, index), cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The destination that failed the run often fails the clean-up too (a refused login, an outage):
                    // the job must still end failed, not stay running while the clean-up is retried. What is left has
                    // the run's folder name and is listed on the job; without a backup row nothing reads it.
                    var destination = plan.Destination(index);
                    var where = destination.StorageId is { } id ? $"storage location {id}" : $"the {destination.Type} destination of copy {index}";
                    // A store's own exception speaks our words; anything else is named by type only (no server text).
                    var why = e is StoreException ? e.Message : $"an unexpected {e.GetType().Name}";
                    logger.LogWarning(e, "Job {JobId}: the partial objects in {Destination} could not be removed", input.JobId, where);
                    leftovers.Add($"The partial objects of this run in {where} (folder {plan.FolderIn(index)}) could not be removed: {why}");
                }
            }
            logger.LogInformation("Job {JobId}: removed the partial objects of the backup", input.JobId);
            await logs.WriteAsync(input.JobId, JobLogLevel.Info, "Partial objects removed", new { copies = plan.Config.Replicas.Count + 1 - leftovers.Count, left = leftovers }, cancellationToken);
        }

        var now = time.GetUtcNow();
        var status = input.Cancelled ? JobStatus.Cancelled : JobStatus.Failed;
        var endedOtherwise = false;
        var job = await catalog.Jobs.UpdateAsync(input.JobId, j =>
        {
            // An ended job keeps how it ended: a late second verdict (the orchestration of a job the watchdog already
            // failed stopping on the watchdog's cancel flag) does not rewrite it. A retry of this very call (same
            // verdict) goes on to the log, metrics and alert it may not have reached the first time.
            endedOtherwise = j.IsFinished && j.Status != status;
            return j.IsFinished ? j : j with
            {
                Status = status,
                CompletedAt = now,
                DurationSeconds = j.StartedAt is { } s ? Math.Round((now - s).TotalSeconds, 3) : null,
                Error = input.Error,
                Warnings = [.. j.Warnings, .. leftovers],
                Progress = j.Progress with { Eta = null },
            };
        }, cancellationToken);
        if (endedOtherwise)
        {
            logger.LogInformation("Backup job {JobId} had already ended ({Status}); its status is kept", input.JobId, JobStatusWords.Of(job.Status));
            return;
        }
        if (input.Cancelled)
        {
            logger.LogWarning("Backup job {JobId} cancelled: {Reason}", input.JobId, input.Error);
            await logs.WriteAsync(input.JobId, JobLogLevel.Warning, "Backup cancelled", new { reason = input.Error }, cancellationToken);
        }
        else
        {
            logger.LogError("Backup job {JobId} failed: {Error}", input.JobId, input.Error);
            await logs.WriteAsync(input.JobId, JobLogLevel.Error, "Backup failed", new { error = input.Error }, cancellationToken);
        }
        var configName = input.Plan?.Config.Name ?? (await catalog.Configs.GetAsync(job.ConfigId, cancellationToken))?.Config.Name ?? "";
        metrics.RunFinished(job, configName);
        await alerts.JobFailedAsync(input.JobId, cancellationToken); // backup_failed; none for a cancelled job
    }

    private async Task<IBackupStore> OpenAsync(Configs.StorageDestination destination, CancellationToken cancellationToken)
        => WrapStore(destination, await stores.OpenAsync(destination, cancellationToken));

    /// <summary>
    /// The plain data key for a step: opened from its transit seal when the app has a transit key (no KEK unwrap, so a
    /// wrap-only Key Vault identity suffices), else unwrapped with the KEK; empty for a backup without encryption.
    /// </summary>
    private async Task<byte[]> OpenDataKeyAsync(PreparedKey? key, string backupId, CancellationToken cancellationToken)
    {
        if (key is null)
            return [];
        if (key.Sealed is { } sealedKey && transit is not null)
            return transit.Open(sealedKey, backupId);
        return await keyEncryptionKey.UnwrapAsync(key.Stored, cancellationToken);
    }

    private static PartSettings PartSettingsFor(BackupConfig config) => BackupWriter.SettingsFor(config.Compression, config.Encryption);

    private Task StartStepAsync(string jobId, string step, CancellationToken cancellationToken)
        => catalog.Jobs.UpdateAsync(jobId, j => j with { Progress = JobProgressMath.StartStep(j.Progress, step, BackupSteps.Total) }, cancellationToken);

    private Task CompleteStepAsync(string jobId, CancellationToken cancellationToken)
        => catalog.Jobs.UpdateAsync(jobId, j => j with { Progress = JobProgressMath.CompleteStep(j.Progress) }, cancellationToken);
}
