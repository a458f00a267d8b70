using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Encryption;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Sources;
using BackupFunctions.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>
/// The steps of a restore drill, one method per activity of the drill orchestration: pick the config's newest restore
/// point → restore it into a scratch database on the config's server and a scratch folder, through
/// <see cref="RestoreRunner"/> (every part proven, row counts against the manifest, every file's SHA-256 against the
/// index) and timed → run the config's checks on the scratch database and compare them with the backup's recorded
/// answers → drop the scratch database and remove the folder (always) → record. A drill only reads the destination
/// and the live site is never touched, so it runs beside backups; two drills of one config never run at once
/// (<see cref="RestoreDrillsTable.TryClaimAsync"/>).
/// </summary>
public sealed partial class RestoreDrillRunner(
    BackupCatalog catalog,
    StorageLocations stores,
    RestoreRunner restorer,
    DatabaseConnections databases,
    IKeyEncryptionKey keyEncryptionKey,
    IOptions<RestoreDrillOptions> options,
    BackupNotifier notifier,
    RestoreDrillMetrics metrics,
    TimeProvider time,
    ILogger<RestoreDrillRunner> logger)
{
    private const string MaintenanceDatabase = "postgres";
    private const string Marker = "_drill_";

    /// <summary>PostgreSQL truncates identifiers to 63 bytes; the scratch name must fit whole to be dropped by it.</summary>
    private const int MaxIdentifierBytes = 63;

    /// <summary>Marks the drill running and picks the backup: the config's newest restore point (<see cref="RestorePoint.List"/>).</summary>
    /// <exception cref="InvalidOperationException">The config is gone, or has no backup to drill.</exception>
    public async Task<DrillPlan> StartAsync(string drillId, CancellationToken cancellationToken)
    {
        var drill = await catalog.RestoreDrills.GetAsync(drillId, cancellationToken)
            ?? throw new KeyNotFoundException($"Restore drill '{drillId}' does not exist.");
        if (drill.IsFinished)
            throw new InvalidOperationException($"Restore drill '{drillId}' has already ended ({drill.Status}).");
        var config = await catalog.Configs.GetAsync(drill.ConfigId, cancellationToken)
            ?? throw new InvalidOperationException($"Backup config '{drill.ConfigId}' does not exist any more.");
        var backups = new List<BackupRecord>();
        await foreach (var backup in catalog.Backups.OfConfigAsync(drill.ConfigId, cancellationToken))
            backups.Add(backup);
        var points = RestorePoint.List(backups);
        var chosen = (points.Count > 0 ? points[0] : null)
            ?? throw new InvalidOperationException($"Config '{drill.ConfigId}' has no successful backup to drill.");

        var hasDatabase = chosen.Statistics.DatabaseDumpBytes > 0;
        if (hasDatabase && config.Config.Database is null)
            throw new InvalidOperationException($"Backup '{chosen.Id}' has a database, but the config names no database server to restore it on.");
        var plan = new DrillPlan(drill.Id, drill.ConfigId, chosen.Id,
            hasDatabase ? ScratchDatabaseName(config.Config.Database!.Database, drill.Id) : null,
            chosen.Statistics.Files + chosen.Statistics.Folders > 0 ? ScratchFolder(drill.Id) : null);
        var now = time.GetUtcNow();
        await catalog.RestoreDrills.UpdateAsync(drillId, d => d with
        {
            Status = RestoreDrillStatuses.Running,
            StartedAt = d.StartedAt ?? now,
            BackupId = plan.BackupId,
            ScratchDatabase = plan.ScratchDatabase,
            ScratchFolder = plan.ScratchFolder,
        }, cancellationToken);
        logger.LogInformation("Restore drill {DrillId} of config {ConfigId} started on backup {BackupId}", drillId, drill.ConfigId, chosen.Id);
        return plan;
    }

    /// <summary>
    /// Restores the backup into the scratch targets with <see cref="RestoreRunner"/> and measures how long that takes.
    /// Leftovers of an earlier attempt of this step are removed first, so a retry starts from empty targets.
    /// </summary>
    public async Task<DrillRestored> RestoreAsync(DrillPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (config, backup) = await ReadAsync(plan, cancellationToken);
        await RemoveScratchAsync(plan.ScratchDatabase, plan.ScratchFolder, config, cancellationToken);
        if (plan.ScratchFolder is not null)
            EnsureScratchRoot();
        var target = plan.ScratchDatabase is { } name ? await ScratchConnectionAsync(config, name, cancellationToken) : null;
        var destination = backup.Locations.FirstOrDefault(l => l.Primary)?.Destination ?? config.Storage;
        var store = await stores.OpenAsync(destination, cancellationToken);

        var started = time.GetTimestamp();
        var result = await restorer.RestoreAsync(new RestoreRequest(store, destination.Prefix, backup.Id, plan.ScratchFolder, target)
        {
            AllowUnencrypted = EncryptionAlgorithms.IsNone(backup.Encryption),
        }, cancellationToken);
        var seconds = Math.Round(time.GetElapsedTime(started).TotalSeconds, 3);

        var restored = new DrillRestored(seconds, result.Files, result.Bytes, result.Tables.Count);
        await catalog.RestoreDrills.UpdateAsync(plan.DrillId, d => d with
        {
            DurationSeconds = restored.DurationSeconds,
            Files = restored.Files,
            Bytes = restored.Bytes,
            Tables = restored.Tables,
        }, cancellationToken);
        logger.LogInformation("Restore drill {DrillId}: backup {BackupId} restored in {Seconds} s ({Files} files, {Tables} tables, all checked)",
            plan.DrillId, backup.Id, seconds, result.Files, result.Tables.Count);
        return restored;
    }

    /// <summary>
    /// Runs the config's checks on the scratch database (read only, with a timeout) and compares each answer with the
    /// digest the backup recorded in its manifest, whose MAC is checked again here with the backup's data key.
    /// </summary>
    public async Task<IReadOnlyList<DrillCheckOutcome>> CheckAsync(DrillPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (config, backup) = await ReadAsync(plan, cancellationToken);
        var checks = config.RestoreDrill?.Checks ?? [];
        if (checks.Count == 0 || plan.ScratchDatabase is null)
            return [];

        var destination = backup.Locations.FirstOrDefault(l => l.Primary)?.Destination ?? config.Storage;
        var store = await stores.OpenAsync(destination, cancellationToken);
        var (unverified, _) = await StoredManifest.ReadAsync(store, ObjectNames.BackupFolder(destination.Prefix, backup.Id), cancellationToken);
        var dataKey = await ManifestKeys.OpenAsync(unverified, keyEncryptionKey, EncryptionAlgorithms.IsNone(backup.Encryption), cancellationToken);
        try
        {
            var manifest = unverified.Verify(dataKey, backup.Id);
            var target = await ScratchConnectionAsync(config, plan.ScratchDatabase, cancellationToken);
            var answered = await new DrillCheckRun(checks, dataKey, backup.Id).RunAsync(target, cancellationToken);
            var outcomes = DrillCheckComparison.Compare(checks, manifest.Database?.Checks, answered);
            await catalog.RestoreDrills.UpdateAsync(plan.DrillId, d => d with { Checks = outcomes }, cancellationToken);
            foreach (var failed in outcomes.Where(o => o.Result == DrillCheckOutcome.Failed))
                logger.LogWarning("Restore drill {DrillId}: check {Check} failed: {Detail}", plan.DrillId, failed.Name, failed.Detail);
            return outcomes;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Drops the scratch database and removes the scratch folder of the drill (whatever exists of them; nothing when
    /// the drill never got a plan), then proves both are gone. Safe to run again.
    /// </summary>
    public async Task<DrillCleanup> CleanupAsync(string drillId, CancellationToken cancellationToken)
    {
        var drill = await catalog.RestoreDrills.GetAsync(drillId, cancellationToken)
            ?? throw new KeyNotFoundException($"Restore drill '{drillId}' does not exist.");
        var config = drill.ScratchDatabase is null ? null : (await catalog.Configs.GetAsync(drill.ConfigId, cancellationToken))?.Config;
        if (drill.ScratchDatabase is not null && config is null)
            throw new InvalidOperationException($"The scratch database {drill.ScratchDatabase} cannot be dropped: config '{drill.ConfigId}' no longer exists.");
        await RemoveScratchAsync(drill.ScratchDatabase, drill.ScratchFolder, config, cancellationToken);
        await catalog.RestoreDrills.UpdateAsync(drillId, d => d with { CleanedUp = true }, cancellationToken);
        logger.LogInformation("Restore drill {DrillId}: scratch targets removed (database {Database}, folder {Folder})",
            drillId, drill.ScratchDatabase ?? "none", drill.ScratchFolder ?? "none");
        return new DrillCleanup(drill.ScratchDatabase, drill.ScratchFolder);
    }

    /// <summary>
    /// Ends the drill: passed when it restored, every compared check passed and the scratch targets are gone; else
    /// failed, with a critical restore_drill_failed alert and a notification. Writes the outcome onto the backup and the
    /// duration into <c>restore.drill.duration</c>, and gives the config's drill place back.
    /// </summary>
    public async Task<RestoreDrill> RecordAsync(DrillRecordInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var drill = await catalog.RestoreDrills.GetAsync(input.DrillId, cancellationToken)
            ?? throw new KeyNotFoundException($"Restore drill '{input.DrillId}' does not exist.");
        if (drill.IsFinished)
        {
            await catalog.RestoreDrills.ReleaseAsync(drill.ConfigId, drill.Id, cancellationToken);
            return drill;
        }
        var failedChecks = (input.Checks ?? []).Where(c => c.Result == DrillCheckOutcome.Failed).ToList();
        var error = input.Error
            ?? (failedChecks.Count > 0 ? $"{failedChecks.Count} check(s) answered differently than at backup time: " + string.Join("; ", failedChecks.Select(c => $"{c.Name}: {c.Detail}")) : null)
            ?? (input.Cleanup is null ? "The scratch targets were not proven removed." : null)
            ?? (input.Restored is null ? "The backup was not restored." : null);
        // A cancel is no failure, but scratch targets left behind are, cancelled or not: someone must remove them.
        var status = input.Cleanup is null ? RestoreDrillStatuses.Failed
            : input.Cancelled ? RestoreDrillStatuses.Cancelled
            : error is null ? RestoreDrillStatuses.Passed
            : RestoreDrillStatuses.Failed;
        var now = time.GetUtcNow();
        var config = (await catalog.Configs.GetAsync(drill.ConfigId, cancellationToken))?.Config;
        var backupId = input.Plan?.BackupId ?? drill.BackupId;
        var duration = input.Restored?.DurationSeconds;

        if (status != RestoreDrillStatuses.Cancelled)
        {
            var last = new LastRestoreDrill(now, drill.Id, backupId, status, duration);
            if (backupId is not null && await catalog.Backups.GetAsync(backupId, cancellationToken) is not null)
                await catalog.Backups.UpdateAsync(backupId, b => b with { LastRestoreDrill = last }, cancellationToken);
            var alertId = AlertTypes.IdFor(AlertTypes.RestoreDrillFailed, drill.ConfigId);
            if (status == RestoreDrillStatuses.Failed)
            {
                var raised = await catalog.Alerts.RaiseAsync(new BackupAlert
                {
                    Id = alertId,
                    Type = AlertTypes.RestoreDrillFailed,
                    Severity = AlertSeverities.Critical,
                    ConfigId = drill.ConfigId,
                    BackupId = backupId,
                    Message = $"Restore drill {drill.Id} of backup {backupId ?? "(none)"} failed: {error}",
                    CreatedAt = now,
                }, cancellationToken);
                await NotifyFailedAsync(drill, config, raised.Alert, error!, duration, cancellationToken);
            }
            else
            {
                await catalog.Alerts.ResolveAsync(alertId, cancellationToken);
            }
            metrics.DrillRecorded(drill.ConfigId, config?.Name ?? "", status);
            if (duration is { } seconds)
                metrics.DrillFinished(drill.ConfigId, config?.Name ?? "", status, seconds);
        }

        var recorded = await catalog.RestoreDrills.UpdateAsync(drill.Id, d => d with
        {
            Status = status,
            CompletedAt = now,
            BackupId = backupId,
            Checks = input.Checks ?? d.Checks,
            DurationSeconds = duration ?? d.DurationSeconds,
            CleanedUp = input.Cleanup is not null || d.CleanedUp,
            Error = status == RestoreDrillStatuses.Cancelled ? input.Error ?? "Cancelled." : error,
        }, cancellationToken);
        await catalog.RestoreDrills.ReleaseAsync(drill.ConfigId, drill.Id, cancellationToken);
        if (status == RestoreDrillStatuses.Failed)
            logger.LogError("Restore drill {DrillId} of config {ConfigId} failed: {Error}", drill.Id, drill.ConfigId, error);
        else
            logger.LogInformation("Restore drill {DrillId} of config {ConfigId} {Status} (RTO {Seconds} s)", drill.Id, drill.ConfigId, status, duration);
        return recorded;
    }

    /// <summary>
    /// Ends a drill that nothing moves any more (the watchdog's verdict: its orchestration ended or is gone while the
    /// drill was pending or running): its scratch database and folder removed by <see cref="CleanupAsync"/>, then the
    /// drill recorded failed with <paramref name="reason"/> by <see cref="RecordAsync"/>, as any failed drill is (the
    /// critical restore_drill_failed alert, the notification, the outcome on the backup, the config's place given back).
    /// Scratch targets that cannot be removed are named in the error, and the drill is not marked cleaned up.
    /// </summary>
    public async Task<RestoreDrill> AbandonAsync(RestoreDrill drill, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drill);
        DrillCleanup? cleanup = null;
        var error = reason;
        try
        {
            cleanup = await CleanupAsync(drill.Id, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The drill ends all the same; what is left is said in its error and its alert, for someone to remove.
            logger.LogError("Restore drill {DrillId}: the scratch targets could not be removed (database {Database}, folder {Folder}): {Error}",
                drill.Id, drill.ScratchDatabase ?? "none", drill.ScratchFolder ?? "none", e.Message);
            error = $"{reason} Its scratch targets could not be removed (database {drill.ScratchDatabase ?? "none"}, folder {drill.ScratchFolder ?? "none"}): {e.Message}";
        }
        return await RecordAsync(new DrillRecordInput(drill.Id, null, null, null, cleanup, error), cancellationToken);
    }

    /// <summary>
    /// <c>&lt;db&gt;_drill_&lt;10 hex of SHA-256(drill id)&gt;</c>: on the config's server, beside the live database, never its name.
    /// The live name is shortened (whole characters) so that the result fits PostgreSQL's 63 bytes.
    /// </summary>
    public static string ScratchDatabaseName(string database, string drillId)
    {
        ArgumentNullException.ThrowIfNull(database);
        var suffix = Marker + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(drillId)))[..10];
        var room = MaxIdentifierBytes - suffix.Length;
        var prefix = new StringBuilder();
        foreach (var rune in database.EnumerateRunes())
        {
            if (Encoding.UTF8.GetByteCount(prefix.ToString()) + rune.Utf8SequenceLength > room)
                break;
            prefix.Append(rune.ToString());
        }
        return prefix + suffix;
    }

    /// <summary>The drill's folder under the scratch root: named after the drill id, whose shape is checked so it cannot lead elsewhere.</summary>
    public string ScratchFolder(string drillId)
    {
        if (!DrillIdShape().IsMatch(drillId))
            throw new ArgumentException($"'{drillId}' is not a drill id.", nameof(drillId));
        return Path.Combine(Path.GetFullPath(options.Value.ScratchRootPath()), drillId);
    }

    /// <summary>Creates the scratch root 0700 (or makes it so); a symbolic link there is refused rather than followed.</summary>
    private void EnsureScratchRoot()
    {
        var root = Path.GetFullPath(options.Value.ScratchRootPath());
        if (new DirectoryInfo(root) is { Exists: true, LinkTarget: not null })
            throw new InvalidOperationException($"RestoreDrills:ScratchRoot '{root}' is a symbolic link; name the real folder.");
        RestoreStaging.CreatePrivateFolder(root);
    }

    private async Task<(BackupConfig Config, BackupRecord Backup)> ReadAsync(DrillPlan plan, CancellationToken cancellationToken)
    {
        var config = await catalog.Configs.GetAsync(plan.ConfigId, cancellationToken)
            ?? throw new InvalidOperationException($"Backup config '{plan.ConfigId}' does not exist any more.");
        var backup = await catalog.Backups.GetAsync(plan.BackupId, cancellationToken)
            ?? throw new InvalidOperationException($"Backup '{plan.BackupId}' does not exist any more (removed by retention during the drill?).");
        return (config.Config, backup);
    }

    /// <summary>The scratch database on the config's server, as the restore role (else the backup role): it needs CREATEDB.</summary>
    private async Task<PostgresConnectionInfo> ScratchConnectionAsync(BackupConfig config, string scratchDatabase, CancellationToken cancellationToken)
    {
        var source = config.Database ?? throw new InvalidOperationException("The config names no database server for the scratch database.");
        return await databases.ConnectForRestoreAsync(source, cancellationToken) with { Database = scratchDatabase };
    }

    private async Task RemoveScratchAsync(string? scratchDatabase, string? scratchFolder, BackupConfig? config, CancellationToken cancellationToken)
    {
        if (scratchDatabase is not null)
        {
            if (!scratchDatabase.Contains(Marker, StringComparison.Ordinal) || config?.Database?.Database == scratchDatabase)
                throw new InvalidOperationException($"Refusing to drop '{scratchDatabase}': not a drill's scratch database.");
            var target = await ScratchConnectionAsync(config!, scratchDatabase, cancellationToken);
            await using var maintenance = await PostgresConnections.OpenAsync(target, MaintenanceDatabase, cancellationToken);
#pragma warning disable CA2100 // the identifier is quoted
            await using (var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {PostgresConnections.QuoteIdentifier(scratchDatabase)} WITH (FORCE)", maintenance))
                await drop.ExecuteNonQueryAsync(cancellationToken);
#pragma warning restore CA2100
            await using var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)", maintenance);
            exists.Parameters.Add(new NpgsqlParameter { Value = scratchDatabase });
            if ((bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
                throw new InvalidOperationException($"The scratch database {scratchDatabase} still exists after DROP DATABASE.");
        }
        if (scratchFolder is not null)
        {
            // Only a folder this runner named (root + drill id) is ever removed.
            if (!string.Equals(Path.GetDirectoryName(scratchFolder), Path.GetFullPath(options.Value.ScratchRootPath()).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal)
                || !DrillIdShape().IsMatch(Path.GetFileName(scratchFolder)))
                throw new InvalidOperationException($"Refusing to remove '{scratchFolder}': not a drill's scratch folder.");
            RestoreStaging.DeleteTree(scratchFolder);
            RemoveStagingLeftovers(scratchFolder);
            if (Directory.Exists(scratchFolder) || File.Exists(scratchFolder))
                throw new InvalidOperationException($"The scratch folder {scratchFolder} still exists after removal.");
        }
    }

    /// <summary>An interrupted extraction leaves its private staging folder beside the target (<see cref="SiteExtraction"/>).</summary>
    private static void RemoveStagingLeftovers(string scratchFolder)
    {
        var parent = Path.GetDirectoryName(scratchFolder)!;
        if (!Directory.Exists(parent))
            return;
        foreach (var leftover in Directory.EnumerateDirectories(parent, Path.GetFileName(scratchFolder) + ".*"))
            RestoreStaging.DeleteTree(leftover);
    }

    private async Task NotifyFailedAsync(RestoreDrill drill, BackupConfig? config, BackupAlert alert, string error, double? duration, CancellationToken cancellationToken)
    {
        if (config?.Notifications is not { } notifications || !notifications.Wants(NotificationLevel.Failure))
            return;
        var notification = new BackupNotification
        {
            Id = $"{drill.Id}:{NotificationEvents.RestoreDrillFailed}",
            Event = NotificationEvents.RestoreDrillFailed,
            Level = NotificationLevel.Failure,
            OccurredAt = alert.LastSeenAt ?? alert.CreatedAt,
            ConfigId = drill.ConfigId,
            ConfigName = config.Name,
            BackupId = alert.BackupId,
            Status = RestoreDrillStatuses.Failed,
            Trigger = drill.Trigger,
            Error = error,
            StartedAt = drill.StartedAt,
            DurationSeconds = duration,
            Alert = new NotificationAlert(alert.Id, alert.Type, alert.Severity, alert.Message),
        };
        // Never throws for a failed delivery: the drill's outcome stands whether or not anyone could be told.
        await notifier.SendAsync(notifications, notification, cancellationToken);
    }

    [GeneratedRegex("^drl-[0-9a-f]{12}(?:[0-9a-f]{12}|-cfg-[0-9a-f]{24})$")]
    private static partial Regex DrillIdShape();
}
