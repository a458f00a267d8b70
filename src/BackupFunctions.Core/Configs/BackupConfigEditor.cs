using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Notifications;
using BackupFunctions.Core.Retention;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// Creates, replaces and deletes configs for <c>/api/backup-configs</c>: reads what the request wrote
/// (<see cref="BackupConfigInput"/>), checks it (<see cref="BackupConfigChecks"/>, storage locations that exist,
/// notifications this app can send), seals webhook secrets, and stores it. Every error names the field as the request
/// wrote it.
/// </summary>
public sealed class BackupConfigEditor(
    BackupCatalog catalog,
    BackupConfigChecks checks,
    NotificationSetup notifications,
    RetentionCleaner cleaner,
    IOptions<CmsSourceOptions> cms,
    TimeProvider time)
{
    /// <summary>Stores a new config.</summary>
    public async Task<ConfigEditResult> CreateAsync(BackupConfigInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (config, errors) = await PrepareAsync(input, previous: null, cancellationToken);
        if (config is null)
            return new ConfigEditResult(ConfigEditOutcome.Invalid, Errors: errors);
        return new ConfigEditResult(ConfigEditOutcome.Done, await catalog.Configs.CreateAsync(config, cancellationToken));
    }

    /// <summary>
    /// Replaces config <paramref name="id"/> after the same checks as a create, if it is still at the version the editor
    /// read (<paramref name="ifMatch"/>, else the body's <c>updatedAt</c>; with neither the last editor wins). The next
    /// run uses the new config; a running one keeps the plan it fixed at its start.
    /// </summary>
    public async Task<ConfigEditResult> ReplaceAsync(string id, BackupConfigInput input, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Id is { } bodyId && bodyId != id)
            return new ConfigEditResult(ConfigEditOutcome.Invalid, Errors: Error("id", $"The body's id '{bodyId}' is not the config in the URL ('{id}'); leave id out or give the same."));
        if (await catalog.Configs.GetAsync(id, cancellationToken) is not { DeletedAt: null } current)
            return new ConfigEditResult(ConfigEditOutcome.NotFound);
        var (config, errors) = await PrepareAsync(input, current.Config.Notifications, cancellationToken);
        if (config is null)
            return new ConfigEditResult(ConfigEditOutcome.Invalid, Errors: errors);
        var (outcome, stored) = await catalog.Configs.ReplaceAsync(id, config, ifMatch, string.IsNullOrWhiteSpace(ifMatch) ? input.UpdatedAt : null, cancellationToken);
        return outcome switch
        {
            ConfigChangeOutcome.Changed => new ConfigEditResult(ConfigEditOutcome.Done, stored),
            ConfigChangeOutcome.Stale => new ConfigEditResult(ConfigEditOutcome.Stale, stored),
            _ => new ConfigEditResult(ConfigEditOutcome.NotFound),
        };
    }

    /// <summary>
    /// Deletes config <paramref name="id"/> unless a backup or restore of it is pending or running. Its backups stay
    /// listed and restorable under its id and name, or with <paramref name="deleteBackups"/> are removed as retention
    /// removes them (locked ones stay).
    /// </summary>
    public async Task<ConfigEditResult> DeleteAsync(string id, bool deleteBackups, string? ifMatch, CancellationToken cancellationToken)
    {
        if (await catalog.Configs.GetAsync(id, cancellationToken) is not { DeletedAt: null } current)
            return new ConfigEditResult(ConfigEditOutcome.NotFound);
        if (!current.IsAt(ifMatch, null))
            return new ConfigEditResult(ConfigEditOutcome.Stale, current);
        if (await RunningAsync(id, cancellationToken) is { } running)
            return new ConfigEditResult(ConfigEditOutcome.Busy, current, Reason: running);

        // The row is marked first: nothing new starts from it while its backups are removed.
        var (outcome, deleted) = await catalog.Configs.MarkDeletedAsync(id, ifMatch, cancellationToken);
        if (outcome != ConfigChangeOutcome.Changed)
            return new ConfigEditResult(outcome == ConfigChangeOutcome.Stale ? ConfigEditOutcome.Stale : ConfigEditOutcome.NotFound, deleted);
        // A start that read the config before the mark may have claimed its place since the check above.
        var (clear, starting, restore) = await new JobSlotGuard(catalog, time).TryPassForDeleteAsync(id, AssumeExists, cancellationToken);
        if (!clear)
        {
            await catalog.Configs.UnmarkDeletedAsync(deleted!, current, cancellationToken);
            var holder = restore ?? (starting.Count > 0 ? starting[0] : null);
            return new ConfigEditResult(ConfigEditOutcome.Busy, current, Reason: holder is null
                ? $"A job of config {id} is starting; cancel it or wait until it has finished."
                : $"{(restore is null ? "Backup" : "Restore")} job {holder} of config {id} is starting; cancel it or wait until it has finished.");
        }
        var backups = deleteBackups ? await cleaner.RemoveAllAsync(id, cancellationToken) : null;
        return new ConfigEditResult(ConfigEditOutcome.Done, deleted, Backups: backups);
    }

    // Every pending job row counts, orchestration or not (the editor has no Durable client): a start that died holds
    // the delete back until the watchdog fails its row, as the check below does too.
    private static Task<bool> AssumeExists(string instanceId, CancellationToken cancellationToken) => Task.FromResult(true);

    /// <summary>Why the config cannot be deleted now (a job of it pending or running), or null.</summary>
    private async Task<string?> RunningAsync(string id, CancellationToken cancellationToken)
    {
        foreach (var status in new[] { JobStatus.Running, JobStatus.Pending })
        {
            await foreach (var job in catalog.Jobs.OfConfigAsync(id, status, cancellationToken))
                return $"Backup job {job.Id} of config {id} is {(status == JobStatus.Running ? "running" : "pending")}; cancel it (POST /api/backup-jobs/{job.Id}/cancel) or wait until it has finished.";
        }
        await foreach (var restore in catalog.RestoreJobs.ActiveAsync(id, cancellationToken))
            return $"Restore job {restore.Id} of config {id} is {restore.Status.ToString().ToLowerInvariant()}; wait until it has finished.";
        return null;
    }

    private async Task<(BackupConfig? Config, IReadOnlyDictionary<string, string[]> Errors)> PrepareAsync(BackupConfigInput input, NotificationConfig? previous, CancellationToken cancellationToken)
    {
        var (config, errors) = input.Read(cms.Value);
        if (config is null)
            return (null, errors);
        var invalid = checks.Validate(config);
        if (invalid.Count > 0)
            return (null, input.InputPaths(invalid));
        var missing = await MissingStorageAsync(config, cancellationToken);
        if (missing.Count > 0)
            return (null, input.InputPaths(missing));
        // Webhook secrets are sealed (or kept as setting references) before the config reaches a row.
        var (notify, notifyErrors) = notifications.Prepare(config.Notifications, previous);
        if (notifyErrors.Count > 0)
            return (null, notifyErrors);
        return (config with { Notifications = notify }, errors);
    }

    private async Task<Dictionary<string, string[]>> MissingStorageAsync(BackupConfig config, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var destinations = config.Replicas.Select((d, i) => (Destination: d, Path: $"replicas[{i}]")).Prepend((config.Storage, "storage"));
        foreach (var (destination, path) in destinations)
        {
            if (destination.StorageId is { } storageId && await catalog.StorageLocations.GetAsync(storageId, cancellationToken) is null)
                errors[$"{path}.storageId"] = [$"There is no storage location '{storageId}'; create it with POST /api/backup-storage."];
        }
        return errors;
    }

    private static Dictionary<string, string[]> Error(string field, string message) => new() { [field] = [message] };
}
