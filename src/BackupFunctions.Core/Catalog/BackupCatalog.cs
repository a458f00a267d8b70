using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Scheduling;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The catalog in Azure Table Storage: tables BackupConfigs, BackupStorage, BackupJobs and Backups (each name prefixed with
/// <see cref="CatalogOptions.TablePrefix"/>). Each table is one partition (a constant partition key) with the id as
/// row key, so a read by id is one point read. Job and backup ids (<see cref="JobIds"/>) and config ids
/// (<c>cfg-</c> + inverted time + random) start with an inverted time, so lists are newest first with a plain scan;
/// their continuation tokens are the service's own, passed through unchanged. Job updates use ETags.
/// </summary>
/// <remarks>
/// Service errors (<see cref="RequestFailedException"/>) propagate except where a method states otherwise; a row
/// that cannot be read back (bad JSON, missing column) gives <see cref="InvalidDataException"/> naming table and row.
/// </remarks>
public sealed class BackupCatalog
{
    public const int MaxPageSize = 100;

    /// <summary>
    /// How often <see cref="UpdateJobAsync"/> re-reads and re-applies after losing an ETag race. Each lost race means
    /// another writer won, so n writers of one row finish within about n attempts; a job has a few.
    /// </summary>
    private const int MaxUpdateAttempts = 25;

    private const int MaxBackoffMs = 1000;

    private readonly TableClient _configs;
    private readonly TableClient _storage;
    private readonly TableClient _jobs;
    private readonly TableClient _backups;
    private readonly TableClient _alerts;
    private readonly TimeProvider _time;

    /// <param name="tablePrefix">Empty, or letters and digits starting with a letter (table names are alphanumeric).</param>
    public BackupCatalog(TableServiceClient service, string tablePrefix, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(tablePrefix);
        ArgumentNullException.ThrowIfNull(time);
        // The longest table name ("BackupConfigs", 13 letters) must stay within the service's 63 characters.
        if (tablePrefix.Length > 50 || !tablePrefix.All(char.IsAsciiLetterOrDigit) || (tablePrefix.Length > 0 && !char.IsAsciiLetter(tablePrefix[0])))
            throw new ArgumentException($"The catalog table prefix '{tablePrefix}' must be up to 50 letters and digits, starting with a letter.", nameof(tablePrefix));

        _configs = service.GetTableClient(tablePrefix + "BackupConfigs");
        _storage = service.GetTableClient(tablePrefix + "BackupStorage");
        _jobs = service.GetTableClient(tablePrefix + "BackupJobs");
        _backups = service.GetTableClient(tablePrefix + "Backups");
        _alerts = service.GetTableClient(tablePrefix + "BackupAlerts");
        _time = time;
    }

    /// <summary>Creates the tables when missing (idempotent).</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
    {
        await _configs.CreateIfNotExistsAsync(cancellationToken);
        await _storage.CreateIfNotExistsAsync(cancellationToken);
        await _jobs.CreateIfNotExistsAsync(cancellationToken);
        await _backups.CreateIfNotExistsAsync(cancellationToken);
        await _alerts.CreateIfNotExistsAsync(cancellationToken);
    }

    // --- configs ---

    /// <summary>
    /// Stores a new config under a new id (see the class remarks), created and updated now, with its next scheduled
    /// run (<see cref="StoredBackupConfig.NextRunAt"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The config's JSON is larger than a table column can hold, or its schedule is invalid (validate it first).
    /// </exception>
    public async Task<StoredBackupConfig> CreateConfigAsync(BackupConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var now = _time.GetUtcNow();
        var stored = new StoredBackupConfig(CatalogIds.New(CatalogIds.ConfigPrefix, now), config, now, now)
        {
            NextRunAt = ScheduleCalculator.NextSlot(config.Schedule, now),
        };
        await _configs.AddEntityAsync(CatalogRows.FromConfig(stored), cancellationToken);
        return stored;
    }

    public async Task<StoredBackupConfig?> GetConfigAsync(string id, CancellationToken cancellationToken)
    {
        var row = await GetRowAsync(_configs, CatalogRows.ConfigPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToConfig(row, _configs.Name);
    }

    /// <summary>One page of configs, newest first.</summary>
    public Task<Page<StoredBackupConfig>> ListConfigsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => ListAsync(_configs, CatalogRows.ConfigPartition, pageSize, continuationToken, CatalogRows.ToConfig, cancellationToken);

    /// <summary>Every config, newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<StoredBackupConfig> AllConfigsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in _configs.QueryAsync<TableEntity>(PartitionFilter(CatalogRows.ConfigPartition), cancellationToken: cancellationToken))
            yield return CatalogRows.ToConfig(row, _configs.Name);
    }

    /// <summary>
    /// Records the config's next scheduled run (null: none), leaving every other column as it is; false when the config
    /// no longer exists.
    /// </summary>
    public async Task<bool> SetConfigNextRunAtAsync(string id, DateTimeOffset? nextRunAt, CancellationToken cancellationToken)
    {
        RequireKey(id, nameof(id));
        for (var attempt = 1; ; attempt++)
        {
            // Read and replace with the row's ETag rather than merge: a merge cannot remove a column (null is not sent).
            var row = await GetRowAsync(_configs, CatalogRows.ConfigPartition, id, cancellationToken);
            if (row is null)
                return false;
            if (row.GetDateTimeOffset(CatalogRows.NextRunAtColumn) == nextRunAt)
                return true;
            if (nextRunAt is { } next)
                row[CatalogRows.NextRunAtColumn] = next;
            else
                row.Remove(CatalogRows.NextRunAtColumn);
            try
            {
                await _configs.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed && attempt < MaxUpdateAttempts)
            {
                // Another writer changed the row; the next attempt works on its version.
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                return false;
            }
        }
    }

    // --- storage locations ---

    /// <summary>
    /// Stores a new storage location under a new id (<c>stg-</c>…). <paramref name="build"/> gets the id and the time,
    /// because secrets are sealed to the id they belong to.
    /// </summary>
    public async Task<StorageLocation> CreateStorageLocationAsync(Func<string, DateTimeOffset, StorageLocation> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var now = _time.GetUtcNow();
        var location = build(CatalogIds.New(CatalogIds.StoragePrefix, now), now);
        await _storage.AddEntityAsync(CatalogRows.FromStorage(location), cancellationToken);
        return location;
    }

    public async Task<StorageLocation?> GetStorageLocationAsync(string id, CancellationToken cancellationToken)
    {
        var row = await GetRowAsync(_storage, CatalogRows.StoragePartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToStorage(row, _storage.Name);
    }

    /// <summary>One page of storage locations, newest first.</summary>
    public Task<Page<StorageLocation>> ListStorageLocationsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => ListAsync(_storage, CatalogRows.StoragePartition, pageSize, continuationToken, CatalogRows.ToStorage, cancellationToken);

    /// <summary>Records the result of a connection test on the location's row (other columns untouched).</summary>
    public async Task RecordStorageTestAsync(string id, StorageProbeResult result, CancellationToken cancellationToken)
    {
        RequireKey(id, nameof(id));
        await _storage.UpdateEntityAsync(CatalogRows.StorageTestColumns(id, result), ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    // --- jobs ---

    /// <summary>Inserts a new job; false (and nothing written) when a job with that id exists already.</summary>
    public async Task<bool> TryCreateJobAsync(BackupJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        RequireKey(job.Id, nameof(job));
        try
        {
            await _jobs.AddEntityAsync(CatalogRows.FromJob(job), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<BackupJob?> GetJobAsync(string id, CancellationToken cancellationToken)
    {
        var row = await GetRowAsync(_jobs, CatalogRows.JobPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToJob(row, _jobs.Name);
    }

    /// <summary>
    /// Read-modify-write with the row's ETag, retried on conflict: when another writer got in between,
    /// <paramref name="change"/> is applied again to the fresh row (so it must be a pure function of its input).
    /// Throws KeyNotFoundException when the job does not exist. Every update stamps <see cref="BackupJob.LastUpdatedAt"/>.
    /// </summary>
    /// <returns>The job as written.</returns>
    public async Task<BackupJob> UpdateJobAsync(string id, Func<BackupJob, BackupJob> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 1; ; attempt++)
        {
            var row = await GetRowAsync(_jobs, CatalogRows.JobPartition, id, cancellationToken)
                ?? throw new KeyNotFoundException($"Job '{id}' does not exist.");
            var updated = change(CatalogRows.ToJob(row, _jobs.Name)) with { LastUpdatedAt = _time.GetUtcNow() };
            if (updated.Id != id)
                throw new InvalidOperationException($"A job update must not change the job's id ('{id}' to '{updated.Id}').");

            try
            {
                await _jobs.UpdateEntityAsync(CatalogRows.FromJob(updated), row.ETag, TableUpdateMode.Replace, cancellationToken);
                return updated;
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed && attempt < MaxUpdateAttempts)
            {
                // Exponential backoff with full jitter spreads out writers that keep colliding. It is a real-time wait
                // on purpose (not TimeProvider): it paces service calls and decides nothing a clock would be asked about.
                var ceilingMs = Math.Min(MaxBackoffMs, 10 << attempt);
                await Task.Delay(RandomNumberGenerator.GetInt32(1, ceilingMs), cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
            {
                throw new KeyNotFoundException($"Job '{id}' does not exist.", e);
            }
        }
    }

    /// <summary>One page of jobs, newest first.</summary>
    public Task<Page<BackupJob>> ListJobsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => ListAsync(_jobs, CatalogRows.JobPartition, pageSize, continuationToken, CatalogRows.ToJob, cancellationToken);

    /// <summary>
    /// One page of jobs, newest first, of one config and/or in one status (null: any). With a filter the service may
    /// end a page early (even empty) and still give a continuation token.
    /// </summary>
    public Task<Page<BackupJob>> ListJobsAsync(
        int pageSize, string? continuationToken, string? configId, JobStatus? status, CancellationToken cancellationToken)
        => ListAsync(_jobs, CatalogRows.JobPartition, pageSize, continuationToken, CatalogRows.ToJob, cancellationToken, JobFilter(configId, status));

    /// <summary>Jobs created before <paramref name="cutoff"/>, whatever their status, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupJob> JobsCreatedBeforeAsync(DateTimeOffset cutoff, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = PartitionFilter(CatalogRows.JobPartition) + " and " + TableClient.CreateQueryFilter($"CreatedAt lt {cutoff}");
        await foreach (var row in _jobs.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToJob(row, _jobs.Name);
    }

    /// <summary>Deletes a job's row; nothing happens when there is none.</summary>
    public async Task DeleteJobAsync(string id, CancellationToken cancellationToken)
    {
        RequireKey(id, nameof(id));
        try
        {
            await _jobs.DeleteEntityAsync(CatalogRows.JobPartition, id, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>Every job of a config, newest first (optionally in one status), fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupJob> JobsOfConfigAsync(
        string configId, JobStatus? status, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        var filter = PartitionFilter(CatalogRows.JobPartition) + " and " + JobFilter(configId, status);
        await foreach (var row in _jobs.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToJob(row, _jobs.Name);
    }

    private static string? JobFilter(string? configId, JobStatus? status)
    {
        var parts = new List<string>();
        if (configId is not null)
            parts.Add(TableClient.CreateQueryFilter($"ConfigId eq {configId}"));
        if (status is { } s)
            parts.Add(TableClient.CreateQueryFilter($"Status eq {JobStatusWords.Of(s)}"));
        return parts.Count == 0 ? null : string.Join(" and ", parts);
    }

    // --- maxConcurrent guard ---

    /// <summary>The guard row of a config's maxConcurrent places (no holders and no version when it has none yet).</summary>
    public async Task<JobSlots> ReadJobSlotsAsync(string configId, CancellationToken cancellationToken)
    {
        RequireKey(configId, nameof(configId));
        var row = await GetRowAsync(_jobs, CatalogRows.JobSlotsPartition, configId, cancellationToken);
        return row is null ? new JobSlots(configId, [], null) : CatalogRows.ToJobSlots(row, _jobs.Name);
    }

    /// <summary>
    /// Replaces the holders of the guard row <paramref name="read"/> came from, only if the row is still at that
    /// version (inserts it when <paramref name="read"/> found none); false, and nothing written, when another writer
    /// got in between.
    /// </summary>
    public async Task<bool> TryWriteJobSlotsAsync(JobSlots read, IReadOnlyList<JobSlotHolder> holders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(holders);
        var row = CatalogRows.FromJobSlots(read.ConfigId, holders);
        try
        {
            if (read.Version is null)
                await _jobs.AddEntityAsync(row, cancellationToken);
            else
                await _jobs.UpdateEntityAsync(row, new ETag(read.Version), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    // --- backups ---

    /// <summary>Insert or replace (recording is idempotent).</summary>
    public async Task UpsertBackupAsync(BackupRecord backup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        RequireKey(backup.Id, nameof(backup));
        await _backups.UpsertEntityAsync(CatalogRows.FromBackup(backup), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<BackupRecord?> GetBackupAsync(string id, CancellationToken cancellationToken)
    {
        var row = await GetRowAsync(_backups, CatalogRows.BackupPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToBackup(row, _backups.Name);
    }

    /// <summary>One page of backups, newest first.</summary>
    public Task<Page<BackupRecord>> ListBackupsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => ListAsync(_backups, CatalogRows.BackupPartition, pageSize, continuationToken, CatalogRows.ToBackup, cancellationToken);

    /// <summary>Read-modify-write of a backup row with its ETag (retried on conflict, like <see cref="UpdateJobAsync"/>).</summary>
    public async Task<BackupRecord> UpdateBackupAsync(string id, Func<BackupRecord, BackupRecord> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 1; ; attempt++)
        {
            var row = await GetRowAsync(_backups, CatalogRows.BackupPartition, id, cancellationToken)
                ?? throw new KeyNotFoundException($"Backup '{id}' does not exist.");
            var updated = change(CatalogRows.ToBackup(row, _backups.Name));
            try
            {
                await _backups.UpdateEntityAsync(CatalogRows.FromBackup(updated), row.ETag, TableUpdateMode.Replace, cancellationToken);
                return updated;
            }
            catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.PreconditionFailed && attempt < MaxUpdateAttempts)
            {
                await Task.Delay(RandomNumberGenerator.GetInt32(1, Math.Min(MaxBackoffMs, 10 << attempt)), cancellationToken);
            }
        }
    }

    /// <summary>Every backup, newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupRecord> AllBackupsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in _backups.QueryAsync<TableEntity>(PartitionFilter(CatalogRows.BackupPartition), cancellationToken: cancellationToken))
            yield return CatalogRows.ToBackup(row, _backups.Name);
    }

    /// <summary>Every backup of one config (any status), newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupRecord> BackupsOfConfigAsync(string configId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        var filter = PartitionFilter(CatalogRows.BackupPartition) + " and " + TableClient.CreateQueryFilter($"ConfigId eq {configId}");
        await foreach (var row in _backups.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToBackup(row, _backups.Name);
    }

    /// <summary>Deletes a backup's row (its objects must be gone first); false when there was no such row.</summary>
    public async Task<bool> DeleteBackupAsync(string id, CancellationToken cancellationToken)
    {
        RequireKey(id, nameof(id));
        try
        {
            await _backups.DeleteEntityAsync(CatalogRows.BackupPartition, id, ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    // --- alerts ---

    /// <summary>
    /// Raises an alert by the rules of <see cref="AlertLifecycle.Raise"/>: a new or resolved alert is (re)opened and
    /// <see cref="RaisedAlert.IsNew"/>; an open or acknowledged one is only updated (message, severity, last seen,
    /// occurrences). Concurrent raises of one alert are serialised with the row's ETag, so exactly one of them is new.
    /// </summary>
    public async Task<RaisedAlert> RaiseAlertAsync(BackupAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        RequireKey(alert.Id, nameof(alert));
        for (var attempt = 1; ; attempt++)
        {
            var row = await GetRowAsync(_alerts, CatalogRows.AlertPartition, alert.Id, cancellationToken);
            var raised = AlertLifecycle.Raise(row is null ? null : CatalogRows.ToAlert(row, _alerts.Name), alert, _time.GetUtcNow());
            if (await TryWriteAlertAsync(row, raised.Alert, attempt, cancellationToken))
                return raised;
        }
    }

    /// <summary>Marks an open or acknowledged alert resolved (its cause is gone).</summary>
    /// <returns>The alert as resolved now; null when there is no such alert or it was resolved already.</returns>
    public async Task<BackupAlert?> ResolveAlertAsync(string id, CancellationToken cancellationToken)
    {
        RequireKey(id, nameof(id));
        for (var attempt = 1; ; attempt++)
        {
            var row = await GetRowAsync(_alerts, CatalogRows.AlertPartition, id, cancellationToken);
            if (row is null || AlertLifecycle.Resolve(CatalogRows.ToAlert(row, _alerts.Name), _time.GetUtcNow()) is not { } resolved)
                return null;
            if (await TryWriteAlertAsync(row, resolved, attempt, cancellationToken))
                return resolved;
        }
    }

    /// <summary>
    /// Acknowledges an open alert (someone is on it); see <see cref="AlertLifecycle.Acknowledge"/>. An id that no
    /// alert can have is <see cref="AcknowledgeOutcome.NotFound"/>.
    /// </summary>
    /// <returns>The outcome and the alert as it is now (null when not found).</returns>
    public async Task<(AcknowledgeOutcome Outcome, BackupAlert? Alert)> AcknowledgeAlertAsync(
        string id, string? by, string? note, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await GetRowAsync(_alerts, CatalogRows.AlertPartition, id, cancellationToken);
            var (outcome, alert) = AlertLifecycle.Acknowledge(
                row is null ? null : CatalogRows.ToAlert(row, _alerts.Name), by, note, _time.GetUtcNow());
            if (outcome != AcknowledgeOutcome.Acknowledged || await TryWriteAlertAsync(row, alert!, attempt, cancellationToken))
                return (outcome, alert);
        }
    }

    public async Task<BackupAlert?> GetAlertAsync(string id, CancellationToken cancellationToken)
    {
        var row = await GetRowAsync(_alerts, CatalogRows.AlertPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToAlert(row, _alerts.Name);
    }

    /// <summary>One page of alerts, newest first (see the other overload).</summary>
    public Task<Page<BackupAlert>> ListAlertsAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => ListAlertsAsync(new AlertQuery(), pageSize, continuationToken, cancellationToken);

    /// <summary>
    /// One page of the alerts that match <paramref name="query"/>, newest first (by <see cref="BackupAlert.CreatedAt"/>).
    /// Alert row keys name their subject, not a time, so the matching rows are read and sorted here: there is one row
    /// per subject, a small table. The continuation token is the position of the next page.
    /// </summary>
    /// <exception cref="ArgumentException">The continuation token is not one this method returned (parameter <c>continuationToken</c>).</exception>
    public async Task<Page<BackupAlert>> ListAlertsAsync(
        AlertQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        var skip = 0;
        if (continuationToken is not null && (!int.TryParse(continuationToken, System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out skip) || skip < 1))
            throw new ArgumentException("The continuation token is not valid.", nameof(continuationToken));

        var filters = new List<string> { PartitionFilter(CatalogRows.AlertPartition) };
        if (query.Status is { } status)
            filters.Add(TableClient.CreateQueryFilter($"Status eq {status}"));
        if (query.ConfigId is { } configId)
            filters.Add(TableClient.CreateQueryFilter($"ConfigId eq {configId}"));
        if (query.Severity is { } severity)
            filters.Add(TableClient.CreateQueryFilter($"Severity eq {severity}"));
        if (query.Type is { } type)
            filters.Add(TableClient.CreateQueryFilter($"Type eq {type}"));
        var matching = new List<BackupAlert>();
        await foreach (var row in _alerts.QueryAsync<TableEntity>(string.Join(" and ", filters), cancellationToken: cancellationToken))
            matching.Add(CatalogRows.ToAlert(row, _alerts.Name));

        var page = matching.OrderByDescending(a => a.CreatedAt).ThenBy(a => a.Id, StringComparer.Ordinal).Skip(skip).Take(pageSize).ToList();
        var next = skip + page.Count < matching.Count ? (skip + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new Page<BackupAlert>(page, next);
    }

    /// <summary>Every open or acknowledged alert, in id order, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupAlert> UnresolvedAlertsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = PartitionFilter(CatalogRows.AlertPartition) + " and "
            + TableClient.CreateQueryFilter($"(Status eq {AlertStatuses.Open} or Status eq {AlertStatuses.Acknowledged})");
        await foreach (var row in _alerts.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToAlert(row, _alerts.Name);
    }

    /// <summary>
    /// Inserts (<paramref name="current"/> null) or replaces the alert row with its ETag; false after losing a race
    /// (the caller reads again and re-applies its rule), until the attempts run out.
    /// </summary>
    private async Task<bool> TryWriteAlertAsync(TableEntity? current, BackupAlert alert, int attempt, CancellationToken cancellationToken)
    {
        try
        {
            if (current is null)
                await _alerts.AddEntityAsync(CatalogRows.FromAlert(alert), cancellationToken);
            else
                await _alerts.UpdateEntityAsync(CatalogRows.FromAlert(alert), current.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status is (int)HttpStatusCode.Conflict or (int)HttpStatusCode.PreconditionFailed
            or (int)HttpStatusCode.NotFound && attempt < MaxUpdateAttempts)
        {
            await Task.Delay(RandomNumberGenerator.GetInt32(1, Math.Min(MaxBackoffMs, 10 << attempt)), cancellationToken);
            return false;
        }
    }

    // --- helpers ---

    /// <summary>The row, or null when it does not exist; an id no row key can have (see <see cref="IsKey"/>) finds nothing.</summary>
    private static async Task<TableEntity?> GetRowAsync(TableClient table, string partition, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IsKey(id))
            return null;
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, id, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <remarks>
    /// The page may hold fewer than <paramref name="pageSize"/> items and still have a continuation token: the
    /// service ends a page early at its own limits. Callers page until the token is null.
    /// </remarks>
    private static async Task<Page<T>> ListAsync<T>(
        TableClient table, string partition, int pageSize, string? continuationToken,
        Func<TableEntity, string, T> map, CancellationToken cancellationToken, string? extraFilter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        var filter = extraFilter is null ? PartitionFilter(partition) : PartitionFilter(partition) + " and " + extraFilter;
        var pages = table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken)
            .AsPages(ContinuationTokens.Unwrap(continuationToken), pageSize);
        await foreach (var page in pages)
            return new Page<T>(page.Values.Select(row => map(row, table.Name)).ToList(), ContinuationTokens.Wrap(page.ContinuationToken));
        return new Page<T>([], null);
    }

    private static string PartitionFilter(string partition) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}");

    /// <summary>Whether <paramref name="id"/> can be a row key: not empty, at most 1 KiB, none of / \ # ? or control characters.</summary>
    private static bool IsKey(string id)
        => id.Length is > 0 and <= 512 && !id.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    private static void RequireKey(string id, string paramName)
    {
        if (!IsKey(id))
            throw new ArgumentException($"'{id}' cannot be a catalog id (empty, too long, or containing / \\ # ? or control characters).", paramName);
    }
}
