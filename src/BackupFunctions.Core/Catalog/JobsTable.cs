using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The BackupJobs table: one row per backup job (ids from <see cref="JobIds"/>, newest first), and beside them, in a
/// partition of their own, one guard row per config counting its <c>maxConcurrent</c> places (<see cref="JobSlots"/>).
/// </summary>
public sealed class JobsTable
{
    public const string TableName = "BackupJobs";

    private readonly TableClient _table;
    private readonly TimeProvider _time;

    internal JobsTable(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal TableClient Client => _table;

    /// <summary>Inserts a new job; false (and nothing written) when a job with that id exists already.</summary>
    public async Task<bool> TryCreateAsync(BackupJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        CatalogTables.RequireKey(job.Id, nameof(job));
        try
        {
            await _table.AddEntityAsync(CatalogRows.FromJob(job), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<BackupJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.JobPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToJob(row, _table.Name);
    }

    /// <summary>
    /// Read-modify-write with the row's ETag (<see cref="ETagRetry"/>): when another writer got in between,
    /// <paramref name="change"/> is applied again to the fresh row (so it must be a pure function of its input).
    /// Every update stamps <see cref="BackupJob.LastUpdatedAt"/>.
    /// </summary>
    /// <returns>The job as written.</returns>
    /// <exception cref="KeyNotFoundException">The job does not exist.</exception>
    public Task<BackupJob> UpdateAsync(string id, Func<BackupJob, BackupJob> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(change);
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.JobPartition, id, row =>
        {
            if (row is null)
                throw new KeyNotFoundException($"Job '{id}' does not exist.");
            var updated = change(CatalogRows.ToJob(row, _table.Name)) with { LastUpdatedAt = _time.GetUtcNow() };
            if (updated.Id != id)
                throw new InvalidOperationException($"A job update must not change the job's id ('{id}' to '{updated.Id}').");
            return RowChange<BackupJob>.Write(CatalogRows.FromJob(updated), updated);
        }, cancellationToken);
    }

    /// <summary>One page of jobs, newest first.</summary>
    public Task<Page<BackupJob>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => CatalogTables.ListAsync(_table, CatalogRows.JobPartition, pageSize, continuationToken, CatalogRows.ToJob, cancellationToken);

    /// <summary>
    /// One page of jobs, newest first, of one config and/or in one status (null: any). With a filter the service may
    /// end a page early (even empty) and still give a continuation token.
    /// </summary>
    public Task<Page<BackupJob>> ListAsync(
        int pageSize, string? continuationToken, string? configId, JobStatus? status, CancellationToken cancellationToken)
        => CatalogTables.ListAsync(_table, CatalogRows.JobPartition, pageSize, continuationToken, CatalogRows.ToJob, cancellationToken,
            Filter(configId, status is { } s ? JobStatusWords.Of(s) : null));

    /// <summary>Jobs created before <paramref name="cutoff"/>, whatever their status, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupJob> CreatedBeforeAsync(DateTimeOffset cutoff, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = CatalogTables.PartitionFilter(CatalogRows.JobPartition) + " and " + TableClient.CreateQueryFilter($"CreatedAt lt {cutoff}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToJob(row, _table.Name);
    }

    /// <summary>Deletes a job's row; nothing happens when there is none.</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        try
        {
            await _table.DeleteEntityAsync(CatalogRows.JobPartition, id, ETag.All, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
        }
    }

    /// <summary>Every job of a config, newest first (optionally in one status), fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupJob> OfConfigAsync(
        string configId, JobStatus? status, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        var filter = CatalogTables.PartitionFilter(CatalogRows.JobPartition) + " and " + Filter(configId, status is { } s ? JobStatusWords.Of(s) : null);
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToJob(row, _table.Name);
    }

    /// <summary>The guard row of a config's maxConcurrent places (no holders and no version when it has none yet).</summary>
    public async Task<JobSlots> ReadSlotsAsync(string configId, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(configId, nameof(configId));
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.JobSlotsPartition, configId, cancellationToken);
        return row is null ? new JobSlots(configId, [], null) : CatalogRows.ToJobSlots(row, _table.Name);
    }

    /// <summary>
    /// Replaces the holders of the guard row <paramref name="read"/> came from, only if the row is still at that
    /// version (inserts it when <paramref name="read"/> found none); false, and nothing written, when another writer
    /// got in between. One attempt, not an <see cref="ETagRetry"/> loop: the caller re-reads and re-decides who holds
    /// a place.
    /// </summary>
    public async Task<bool> TryWriteSlotsAsync(JobSlots read, IReadOnlyList<JobSlotHolder> holders, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(holders);
        var row = CatalogRows.FromJobSlots(read.ConfigId, holders);
        try
        {
            if (read.Version is null)
                await _table.AddEntityAsync(row, cancellationToken);
            else
                await _table.UpdateEntityAsync(row, new ETag(read.Version), TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (ETagRetry.IsLostRace(e))
        {
            return false;
        }
    }

    /// <summary>The filter on the ConfigId and Status columns (null: any); null when neither is given.</summary>
    internal static string? Filter(string? configId, string? status)
    {
        var parts = new List<string>();
        if (configId is not null)
            parts.Add(TableClient.CreateQueryFilter($"ConfigId eq {configId}"));
        if (status is not null)
            parts.Add(TableClient.CreateQueryFilter($"Status eq {status}"));
        return parts.Count == 0 ? null : string.Join(" and ", parts);
    }
}
