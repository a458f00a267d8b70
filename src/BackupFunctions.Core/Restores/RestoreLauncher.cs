using System.Text.RegularExpressions;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Verification;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Starts restores from the API: checks the options against the backup, its config and the targets (every bad field
/// named), answers a dry run with the preview, else claims the config (<see cref="RestoreClaims"/>), writes the job row
/// (<c>pending</c>) and starts its orchestration. Also the restore points of a config and the cancel of a restore job.
/// </summary>
/// <remarks>
/// Everything in the options is hostile: paths are confined by <see cref="SiteRoots"/> (the same allowed roots as
/// backups), a database name must be a plain identifier on the config's own server, items go through
/// <see cref="RestoreSelection.Parse"/>. A restore elsewhere only goes into a new or empty folder and a new or empty
/// database, so it can never overwrite anything but the config's own live site.
/// </remarks>
public sealed partial class RestoreLauncher(
    BackupCatalog catalog,
    SiteRoots siteRoots,
    StorageLocations stores,
    DatabaseConnections connections,
    PostgresInPlaceRestorer databases,
    RestorePreviewer previewer,
    Sources.Sites.SiteSources siteSources,
    JobLogs logs,
    TimeProvider time,
    ILogger<RestoreLauncher> logger)
{
    /// <summary>The longest <c>targetPath</c> accepted (PATH_MAX).</summary>
    public const int MaxPathLength = 4096;

    private const string InvalidCatalogName = "3D000";

    /// <summary>Databases a restore never goes into, even when empty: the server's own.</summary>
    private static readonly HashSet<string> ServerDatabases = new(StringComparer.Ordinal) { "postgres", "template0", "template1" };

    /// <summary>Restores backup <paramref name="backupId"/> (or previews it, <see cref="RestoreOptions.DryRun"/>).</summary>
    public async Task<RestoreStartResult> StartAsync(string backupId, RestoreOptions options, IRestoreStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(starter);
        var backup = await catalog.Backups.GetAsync(backupId, cancellationToken);
        if (backup is null)
            return new RestoreStartResult(RestoreStartOutcome.NotFound, backupId, Reason: $"There is no backup with id '{backupId}'.");
        return await StartAsync(backup, options, starter, cancellationToken);
    }

    /// <summary>
    /// Restores the newest restore point of config <paramref name="configId"/> made at or before
    /// <paramref name="pointInTime"/> (<see cref="RestorePoint.At"/>); the result names the backup chosen.
    /// </summary>
    public async Task<RestoreStartResult> StartAtAsync(
        string configId, DateTimeOffset pointInTime, RestoreOptions options, IRestoreStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(starter);
        if (await catalog.Configs.GetAsync(configId, cancellationToken) is null)
            return new RestoreStartResult(RestoreStartOutcome.NotFound, Reason: $"There is no backup config with id '{configId}'.");
        var backups = await ToListAsync(catalog.Backups.OfConfigAsync(configId, cancellationToken), cancellationToken);
        if (RestorePoint.At(backups, pointInTime) is not { } chosen)
        {
            return new RestoreStartResult(RestoreStartOutcome.NotFound,
                Reason: $"Config '{configId}' has no successful backup made at or before {pointInTime.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss'Z'}.");
        }
        return await StartAsync(chosen, options, starter, cancellationToken);
    }

    /// <summary>
    /// One page of the restore points of config <paramref name="configId"/>, newest first
    /// (<see cref="RestorePoint.List"/>); the continuation token is the id of the last backup of the previous page.
    /// </summary>
    /// <exception cref="ArgumentException">The continuation token is not a backup of this listing (<c>continuationToken</c>).</exception>
    public async Task<Page<BackupRecord>> ListRestorePointsAsync(string configId, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var points = RestorePoint.List(await ToListAsync(catalog.Backups.OfConfigAsync(configId, cancellationToken), cancellationToken));
        var start = 0;
        if (continuationToken is not null)
        {
            var at = points.ToList().FindIndex(b => b.Id == continuationToken);
            if (at < 0)
                throw new ArgumentException("The continuation token is not one this listing gave (or that backup is no longer a restore point).", nameof(continuationToken));
            start = at + 1;
        }
        var items = points.Skip(start).Take(pageSize).ToList();
        var token = start + items.Count < points.Count ? items[^1].Id : null;
        return new Page<BackupRecord>(items, token);
    }

    /// <summary>
    /// Asks a pending or running restore job to stop: its row's <see cref="RestoreJob.CancelRequested"/> is set (an ETag
    /// update, so it never lands on a job that has just ended), then its orchestration is told. A pending job whose
    /// orchestration never started (its start died) is ended <c>cancelled</c> here: nothing of it ran.
    /// </summary>
    public async Task<RestoreCancelResult> CancelAsync(string restoreJobId, IRestoreStarter starter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(starter);
        var job = await catalog.RestoreJobs.GetAsync(restoreJobId, cancellationToken);
        if (job is null)
            return new RestoreCancelResult(JobCancelOutcome.NotFound, null);
        if (job.IsFinished)
            return new RestoreCancelResult(JobCancelOutcome.AlreadyFinished, job);
        job = await catalog.RestoreJobs.UpdateAsync(restoreJobId, j => j.IsFinished ? j : j with { CancelRequested = true }, cancellationToken);
        if (job.IsFinished)
            return new RestoreCancelResult(JobCancelOutcome.AlreadyFinished, job);
        logger.LogInformation("Cancel of restore job {RestoreJobId} requested", restoreJobId);
        await logs.WriteAsync(restoreJobId, JobLogLevel.Warning, "Cancel requested", new { status = RestoreJobStatusWords.Of(job.Status) }, cancellationToken);

        if (job.Status == RestoreJobStatus.Pending && !await starter.ExistsAsync(restoreJobId, cancellationToken))
        {
            var now = time.GetUtcNow();
            job = await catalog.RestoreJobs.UpdateAsync(restoreJobId, j => j.Status == RestoreJobStatus.Pending
                ? j with { Status = RestoreJobStatus.Cancelled, CompletedAt = now, Error = "Cancelled on request before it started; nothing was changed." }
                : j, cancellationToken);
            if (job.IsFinished)
                return new RestoreCancelResult(JobCancelOutcome.Accepted, job);
        }
        await starter.RequestCancelAsync(restoreJobId, cancellationToken);
        return new RestoreCancelResult(JobCancelOutcome.Accepted, job);
    }

    /// <summary>
    /// Checks <paramref name="options"/> against <paramref name="backup"/> and <paramref name="config"/> and resolves the
    /// targets. Reads the file system (the targets) and connects to the database server (whether a target database
    /// exists and is empty); changes nothing.
    /// </summary>
    /// <returns>The plan, or the bad fields (camelCase, as the API names them) with why.</returns>
    /// <exception cref="InvalidOperationException">The backup has no copy that can be read, or its destination cannot be opened.</exception>
    public async Task<(RestoreTargetPlan? Plan, IReadOnlyDictionary<string, string[]>? Errors)> PlanAsync(
        BackupRecord backup, StoredBackupConfig config, RestoreOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
                errors[field] = list = [];
            list.Add(message);
        }

        var hasDatabase = backup.Statistics.DatabaseDumpBytes > 0 || backup.Statistics.DatabaseTables > 0;
        var hasFiles = backup.Statistics.Files + backup.Statistics.Folders > 0;
        var (restoreDatabase, restoreFiles, items) = Parts(backup, options, hasDatabase, hasFiles, Add);

        string? siteRoot = null;
        var filesInPlace = false;
        var components = new List<string>();
        if (restoreFiles)
            (siteRoot, filesInPlace) = ResolveFolder(config, options.TargetPath, Add);
        // A site that is not a local folder has no root here (it is restored in place through its target), but its
        // components are the same: the preview lists them.
        if (restoreFiles && (siteRoot is not null || filesInPlace))
        {
            components = [.. (config.Config.Files?.Components ?? FilesSource.DefaultComponents)
                .Where(c => options.RestoreConfig || c != "config")];
            if (components.Count == 0)
                Add("restoreConfig", "With restoreConfig false no component folder of this config is left to restore.");
        }

        DatabaseSource? database = null;
        var databaseInPlace = false;
        if (restoreDatabase)
            (database, databaseInPlace) = await ResolveDatabaseAsync(config, options, Add, cancellationToken);

        // The pre-restore backup and the rollback of a committed database are taken for in-place restores; a restore
        // that writes one live target and one new one would overwrite the live one without them.
        if (restoreFiles && restoreDatabase && siteRoot is not null && database is not null && filesInPlace != databaseInPlace)
        {
            var message = "A restore of files and database goes either in place (neither targetPath nor targetDatabase) or elsewhere "
                + "(both); restore one part at a time (type files or database) to put only one of them elsewhere.";
            Add(filesInPlace ? "targetPath" : "targetDatabase", message);
        }
        if (errors.Count > 0)
            return (null, errors.ToDictionary(e => e.Key, e => e.Value.ToArray()));

        var copy = backup.Locations
            .Where(BackupVerifications.CanVerify)
            .OrderBy(l => l.Primary ? 0 : 1)
            .ThenBy(l => l.Index)
            .FirstOrDefault()
            ?? throw new InvalidOperationException($"Backup '{backup.Id}' has no copy that can be read (every copy failed or was recorded without its destination).");
        var store = await stores.OpenAsync(copy.Destination!, cancellationToken);
        var plan = new RestoreTargetPlan(backup, config, store, copy.Destination!.Prefix, siteRoot, database)
        {
            Components = components,
            FilesInPlace = filesInPlace,
            DatabaseInPlace = databaseInPlace,
            Items = items,
            OverwriteExisting = options.OverwriteExisting,
            AllowUnencrypted = EncryptionAlgorithms.IsNone(backup.Encryption),
        };
        return (plan, null);
    }

    private async Task<RestoreStartResult> StartAsync(BackupRecord backup, RestoreOptions options, IRestoreStarter starter, CancellationToken cancellationToken)
    {
        if (await catalog.Configs.GetAsync(backup.ConfigId, cancellationToken) is not { } config)
        {
            return new RestoreStartResult(RestoreStartOutcome.Conflict, backup.Id,
                Reason: $"The config '{backup.ConfigId}' of backup '{backup.Id}' no longer exists, so its live targets are unknown; restore it with backupctl.");
        }
        if (RestorePoint.WhyNot(backup) is { } whyNot)
            return new RestoreStartResult(RestoreStartOutcome.Conflict, backup.Id, Reason: whyNot);

        RestoreTargetPlan plan;
        try
        {
            var (planned, errors) = await PlanAsync(backup, config, options, cancellationToken);
            if (errors is not null)
                return new RestoreStartResult(RestoreStartOutcome.Invalid, backup.Id, Errors: errors);
            plan = planned!;
        }
        catch (Exception e) when (e is InvalidOperationException or NpgsqlException or PostgresToolException or NetworkRefusedException)
        {
            logger.LogWarning(e, "Restore of backup {BackupId}: the targets could not be checked", backup.Id);
            return new RestoreStartResult(RestoreStartOutcome.Conflict, backup.Id, Reason: $"The restore targets could not be checked: {e.Message}");
        }

        if (options.DryRun)
            return await PreviewAsync(plan, cancellationToken);

        var now = time.GetUtcNow();
        var id = RestoreJobsTable.NewId(now);
        // The starter tells the claim which pending rows are starts that died (no orchestration): those hold nothing.
        if (await new RestoreClaims(catalog, time, starter).TryClaimAsync(config.Id, id, cancellationToken) is { } busy)
        {
            logger.LogWarning("Restore of backup {BackupId} not started: {Reason}", backup.Id, busy);
            return new RestoreStartResult(RestoreStartOutcome.Conflict, backup.Id, Reason: busy);
        }
        var job = new RestoreJob
        {
            Id = id,
            ConfigId = config.Id,
            BackupId = backup.Id,
            // The targets as checked: in place is written as no target (one naming the live root or database is the
            // same restore, one for a part not restored means nothing), so the orchestration takes the pre-restore
            // backup whenever a live target is written; elsewhere is the resolved folder.
            Options = options with
            {
                TargetPath = plan.SiteRoot is null || plan.FilesInPlace ? null : plan.SiteRoot,
                TargetDatabase = plan.Database is null || plan.DatabaseInPlace ? null : plan.Database.Database,
                DryRun = false,
            },
            Progress = new JobProgress { TotalSteps = RestoreJobSteps.Total },
            CreatedAt = now,
        };
        if (!await catalog.RestoreJobs.TryCreateAsync(job, cancellationToken))
            throw new InvalidOperationException($"Restore job id collision for {id}; try again.");
        await starter.StartAsync(new RestoreJobRequest(id), cancellationToken);
        logger.LogInformation("Restore job {RestoreJobId} of backup {BackupId} (config {ConfigId}) started by request", id, backup.Id, config.Id);
        return new RestoreStartResult(RestoreStartOutcome.Started, backup.Id, Job: job);
    }

    private async Task<RestoreStartResult> PreviewAsync(RestoreTargetPlan plan, CancellationToken cancellationToken)
    {
        var points = RestorePoint.List(await ToListAsync(catalog.Backups.OfConfigAsync(plan.Config.Id, cancellationToken), cancellationToken));
        Archive.ISiteSource? liveSite = null;
        try
        {
            var target = plan.Database is { } source ? await connections.ConnectForRestoreAsync(source, cancellationToken) : null;
            // A site that is not a local folder is restored in place through its own target (no SiteRoot): its listing
            // is what the preview compares with, read through the same factory (secrets, network rules) as a backup.
            if (plan.SiteRoot is null && plan.FilesInPlace && plan.Config.Config.Files is { } files && !files.IsLocal())
                liveSite = siteSources.Open(files);
            var request = new RestorePreviewRequest(plan.Store, plan.Prefix, plan.Backup.Id, plan.SiteRoot, plan.Components, target)
            {
                Items = plan.Items,
                OverwriteExisting = plan.OverwriteExisting,
                NewestBackupCreatedAt = points.Count > 0 ? points[0].CreatedAt : null,
                AllowUnencrypted = plan.AllowUnencrypted,
                LiveSite = liveSite,
            };
            var preview = await previewer.PreviewAsync(request, cancellationToken);
            return new RestoreStartResult(RestoreStartOutcome.Previewed, plan.Backup.Id, Preview: preview);
        }
        catch (IntegrityException e)
        {
            logger.LogError(e, "Restore preview of backup {BackupId}: the backup is damaged", plan.Backup.Id);
            return new RestoreStartResult(RestoreStartOutcome.Conflict, plan.Backup.Id,
                Reason: $"Backup '{plan.Backup.Id}' cannot be previewed: its manifest or file index is damaged ({e.Message}).");
        }
        catch (Exception e) when (e is NpgsqlException or PostgresToolException or NetworkRefusedException)
        {
            logger.LogWarning(e, "Restore preview of backup {BackupId}: the database could not be read", plan.Backup.Id);
            return new RestoreStartResult(RestoreStartOutcome.Conflict, plan.Backup.Id, Reason: $"The target database could not be read: {e.Message}");
        }
        catch (Exception e) when (plan.SiteRoot is null && plan.FilesInPlace && plan.Config.Config.Files?.IsLocal() == false && e is InvalidOperationException or NetworkRefusedException or IOException or Azure.RequestFailedException or Renci.SshNet.Common.SshException or System.Net.Sockets.SocketException)
        {
            logger.LogWarning(e, "Restore preview of backup {BackupId}: the site could not be opened", plan.Backup.Id);
            return new RestoreStartResult(RestoreStartOutcome.Conflict, plan.Backup.Id, Reason: $"The site's files could not be read: {SiteReadFailure(e)}.");
        }
        finally
        {
            (liveSite as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Why a site could not be listed, in our words and codes only (as <see cref="StoreFailureText"/> for stores): never
    /// text the server sent, which a caller who points a site at a server could otherwise read through the API.
    /// </summary>
    private static string SiteReadFailure(Exception e) => e switch
    {
        // Our own: a secret setting missing, a root outside the allowed folders, a setting not given.
        InvalidOperationException or ArgumentException => e.Message.TrimEnd('.'),
        Azure.RequestFailedException failed => $"the storage service answered {failed.Status}" + (failed.ErrorCode is { Length: > 0 } code ? $" ({code})" : ""),
        _ => StoreFailureText.Describe(e),
    };

    /// <summary>Which parts the options restore, and the selective items (checked); bad fields go to <paramref name="add"/>.</summary>
    private static (bool Database, bool Files, IReadOnlyList<string>? Items) Parts(
        BackupRecord backup, RestoreOptions options, bool hasDatabase, bool hasFiles, Action<string, string> add)
    {
        var items = options.SelectiveItems ?? [];
        IReadOnlyList<string>? selected = null;
        var selectsTables = false;
        var selectsFiles = false;
        if (options.Type == RestoreType.Selective)
        {
            if (items.Count == 0)
                add("selectiveItems", "A selective restore names its items: site-relative globs (uploads/2024/**) and tables (table:public.posts).");
            try
            {
                RestoreSelection.Parse(items);
                selected = items;
                selectsTables = items.Any(i => i.StartsWith(RestoreSelection.TablePrefix, StringComparison.Ordinal));
                selectsFiles = items.Any(i => !i.StartsWith(RestoreSelection.TablePrefix, StringComparison.Ordinal));
            }
            catch (ArgumentException e)
            {
                add("selectiveItems", e.Message.StartsWith("items: ", StringComparison.Ordinal) ? e.Message["items: ".Length..] : e.Message);
            }
        }
        else if (items.Count > 0)
        {
            add("selectiveItems", "Items are only given with type selective.");
        }

        var (wantDatabase, wantFiles) = options.Type switch
        {
            RestoreType.Database => (true, false),
            RestoreType.Files => (false, true),
            RestoreType.Selective => (selectsTables, selectsFiles),
            _ => (hasDatabase, hasFiles),
        };
        if (options.Type is RestoreType.Database or RestoreType.Files && !(options.Type == RestoreType.Database ? hasDatabase : hasFiles))
            add("type", $"Backup '{backup.Id}' has no {(options.Type == RestoreType.Database ? "database part" : "site files")} to restore.");
        if (options.Type == RestoreType.Selective && selectsTables && !hasDatabase)
            add("selectiveItems", $"Backup '{backup.Id}' has no database part; its items cannot name tables.");
        if (options.Type == RestoreType.Selective && selectsFiles && !hasFiles)
            add("selectiveItems", $"Backup '{backup.Id}' has no site files; its items cannot name paths.");

        var database = Part("restoreDatabase", options.RestoreDatabase, wantDatabase, hasDatabase, "database part", options.Type, backup, add);
        var files = Part("restoreFiles", options.RestoreFiles, wantFiles, hasFiles, "site files", options.Type, backup, add);
        if (options.RestoreDatabase == false && options.RestoreFiles == false)
        {
            add("restoreDatabase", "With restoreDatabase and restoreFiles both false there is nothing to restore.");
            add("restoreFiles", "With restoreDatabase and restoreFiles both false there is nothing to restore.");
        }
        return (database, files, selected);
    }

    private static bool Part(
        string field, bool? asked, bool wanted, bool present, string what, RestoreType type, BackupRecord backup, Action<string, string> add)
    {
        if (asked == true && !present)
        {
            add(field, $"Backup '{backup.Id}' has no {what}.");
            return false;
        }
        if (asked == true && !wanted && type is RestoreType.Database or RestoreType.Files)
        {
            add(field, $"A restore of type {type.ToString().ToLowerInvariant()} restores no {what}; use type full (or selective).");
            return false;
        }
        if (asked == false && wanted && type is RestoreType.Database or RestoreType.Files)
        {
            add(field, $"A restore of type {type.ToString().ToLowerInvariant()} restores the {what}; {field} cannot be false.");
            return false;
        }
        return asked ?? (wanted && present);
    }

    /// <summary>
    /// The folder the files go into: the config's live root (in place) or <c>targetPath</c>, confined to the allowed
    /// roots, which elsewhere must be a new or empty folder outside the live site.
    /// </summary>
    private (string? Root, bool InPlace) ResolveFolder(StoredBackupConfig config, string? targetPath, Action<string, string> add)
    {
        string? liveRoot = null;
        string? liveProblem = null;
        if (config.Config.Files is { } files && files.IsLocal())
            (liveRoot, liveProblem) = Confine(files.Root);

        if (targetPath is null)
        {
            if (config.Config.Files is null)
            {
                add("targetPath", $"Config '{config.Id}' backs up no site folder; name the folder to restore the files into.");
                return (null, false);
            }
            // A site that is not a local folder (Blob, SFTP, Azure Files) is restored in place through its own target,
            // which the restore job opens; there is no local folder to confine here.
            if (!config.Config.Files.IsLocal())
                return (null, true);
            if (liveProblem is not null)
            {
                add("targetPath", $"The config's site root cannot be restored into: {liveProblem}");
                return (null, false);
            }
            return (liveRoot, true);
        }

        if (PathShapeProblem(targetPath) is { } shape)
        {
            add("targetPath", shape);
            return (null, false);
        }
        var (target, problem) = Confine(targetPath);
        if (problem is not null)
        {
            add("targetPath", problem);
            return (null, false);
        }
        if (target == liveRoot)
            return (target, true);
        if (liveRoot is not null && (IsInside(target!, liveRoot) || IsInside(liveRoot, target!)))
        {
            add("targetPath", $"'{Printable(targetPath)}' overlaps the config's live site; a restore elsewhere goes into a folder outside it (or name the site root itself to restore in place).");
            return (null, false);
        }
        if (File.Exists(target))
        {
            add("targetPath", $"'{Printable(targetPath)}' is a file; a restore goes into a new or empty folder.");
            return (null, false);
        }
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            add("targetPath", $"'{Printable(targetPath)}' is not empty; a restore elsewhere goes into a new or empty folder (only the config's own site root is restored over).");
            return (null, false);
        }
        return (target, false);
    }

    /// <summary>
    /// The resolved form of <paramref name="path"/> when it is inside the allowed roots (<see cref="SiteRoots.Check"/>);
    /// a folder that does not exist yet is judged by its parent, which must.
    /// </summary>
    private (string? Real, string? Problem) Confine(string path)
    {
        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        var info = new DirectoryInfo(trimmed);
        if (info.Exists || info.LinkTarget is not null || File.Exists(trimmed))
            return siteRoots.Check(trimmed, out var real) is { } problem ? (null, problem) : (real, null);

        var parent = Path.GetDirectoryName(trimmed);
        var name = Path.GetFileName(trimmed);
        if (parent is null || name.Length == 0)
            return (null, "The folder must be an absolute path below an allowed folder.");
        if (siteRoots.Check(parent, out var realParent) is { } parentProblem)
            return (null, $"The folder '{Printable(path)}' does not exist, and its parent cannot hold it: {parentProblem}");
        return (Path.Combine(realParent, name), null);
    }

    private static string? PathShapeProblem(string path)
    {
        if (path.Length is 0 or > MaxPathLength || path.Any(char.IsControl) || !path.StartsWith('/'))
            return $"targetPath is an absolute folder path ('/'-separated, at most {MaxPathLength} characters, no control characters).";
        if (path.Split('/').Any(s => s is "." or ".."))
            return $"'{Printable(path)}' has a '.' or '..' segment; name the folder plainly.";
        if (path.Contains('\\', StringComparison.Ordinal))
            return $"'{Printable(path)}' has a backslash; folders are '/'-separated.";
        return null;
    }

    /// <summary>
    /// The database restored into: the config's live one, or <c>targetDatabase</c> on the same server, which must be a
    /// plain identifier and not exist yet or be empty. With <c>overwriteExisting</c> false the database must be empty.
    /// </summary>
    private async Task<(DatabaseSource? Source, bool InPlace)> ResolveDatabaseAsync(
        StoredBackupConfig config, RestoreOptions options, Action<string, string> add, CancellationToken cancellationToken)
    {
        if (config.Config.Database is not { } live)
        {
            add(options.TargetDatabase is null ? "restoreDatabase" : "targetDatabase",
                $"Config '{config.Id}' has no database server, so there is nowhere to restore the database.");
            return (null, false);
        }
        if (options.TargetDatabase is { } name && name != live.Database)
        {
            if (!DatabaseName().IsMatch(name) || ServerDatabases.Contains(name) || name.StartsWith("pg_", StringComparison.Ordinal))
            {
                add("targetDatabase", "targetDatabase is a new database's plain name on the config's server: lowercase letters, digits and '_', "
                    + "starting with a letter or '_', at most 63 characters, not postgres, template0, template1 or pg_….");
                return (null, false);
            }
            var other = live with { Database = name };
            if (await IsEmptyOrMissingAsync(other, cancellationToken) == false)
            {
                add("targetDatabase", $"Database '{name}' exists and has tables; a restore elsewhere goes into a new or empty database (only the config's own database is restored over).");
                return (null, false);
            }
            return (other, false);
        }

        if (!options.OverwriteExisting && await IsEmptyOrMissingAsync(live, cancellationToken) == false)
        {
            add("overwriteExisting", $"Database '{live.Database}' has tables; a database restore replaces them, so it needs overwriteExisting true (or a new targetDatabase).");
            return (null, false);
        }
        return (live, true);
    }

    /// <summary>True when the database has no user table, null when it does not exist, false when it has tables.</summary>
    private async Task<bool?> IsEmptyOrMissingAsync(DatabaseSource source, CancellationToken cancellationToken)
    {
        var connection = await connections.ConnectForRestoreAsync(source, cancellationToken);
        try
        {
            return await databases.IsEmptyAsync(connection, cancellationToken);
        }
        catch (Exception e) when (e is PostgresException { SqlState: InvalidCatalogName }
            || e.InnerException is PostgresException { SqlState: InvalidCatalogName })
        {
            return null;
        }
    }

    private static bool IsInside(string path, string folder)
    {
        var outer = folder.TrimEnd('/');
        var inner = path.TrimEnd('/');
        return outer.Length == 0 || inner == outer || inner.StartsWith(outer + "/", StringComparison.Ordinal);
    }

    private static string Printable(string value) => new([.. value.Take(300).Select(c => char.IsControl(c) ? '?' : c)]);

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var item in items.WithCancellation(cancellationToken))
            list.Add(item);
        return list;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex DatabaseName();
}
