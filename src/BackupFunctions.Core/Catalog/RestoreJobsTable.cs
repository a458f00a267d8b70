using System.Runtime.CompilerServices;
using System.Net;
using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The RestoreJobs table: one row per restore job. Ids start with an inverted time (<see cref="NewId"/>), so a plain
/// scan lists newest first and a read by id is one point read, as for backup jobs.
/// </summary>
public sealed class RestoreJobsTable
{
    public const string TableName = "RestoreJobs";

    private readonly TableClient _table;
    private readonly TimeProvider _time;

    internal RestoreJobsTable(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal TableClient Client => _table;

    /// <summary>A new restore job id for a job created at <paramref name="now"/>: <c>rst-</c>, inverted time, random (<see cref="CatalogIds"/>).</summary>
    public static string NewId(DateTimeOffset now) => CatalogIds.New(CatalogIds.RestorePrefix, now);

    /// <summary>
    /// Inserts a new restore job; false (and nothing written) when one with that id exists already, so a retried
    /// create step is harmless.
    /// </summary>
    public async Task<bool> TryCreateAsync(RestoreJob job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        CatalogTables.RequireKey(job.Id, nameof(job));
        try
        {
            await _table.AddEntityAsync(CatalogRows.FromRestoreJob(job), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<RestoreJob?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.RestoreJobPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToRestoreJob(row, _table.Name);
    }

    /// <summary>
    /// Read-modify-write with the row's ETag (<see cref="ETagRetry"/>): when another writer got in between,
    /// <paramref name="change"/> is applied again to the fresh row (so it must be a pure function of its input).
    /// Every update stamps <see cref="RestoreJob.LastUpdatedAt"/>.
    /// </summary>
    /// <returns>The job as written.</returns>
    /// <exception cref="KeyNotFoundException">The restore job does not exist.</exception>
    /// <exception cref="ArgumentException">Its options or result are larger than a table column holds.</exception>
    public Task<RestoreJob> UpdateAsync(string id, Func<RestoreJob, RestoreJob> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(change);
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.RestoreJobPartition, id, row =>
        {
            if (row is null)
                throw new KeyNotFoundException($"Restore job '{id}' does not exist.");
            var updated = change(CatalogRows.ToRestoreJob(row, _table.Name)) with { LastUpdatedAt = _time.GetUtcNow() };
            if (updated.Id != id)
                throw new InvalidOperationException($"A restore job update must not change the job's id ('{id}' to '{updated.Id}').");
            return RowChange<RestoreJob>.Write(CatalogRows.FromRestoreJob(updated), updated);
        }, cancellationToken);
    }

    /// <summary>
    /// One page of restore jobs, newest first, of one config and/or in one status (null: any). With a filter the
    /// service may end a page early (even empty) and still give a continuation token.
    /// </summary>
    /// <exception cref="ArgumentException">The continuation token is not one a listing gave (<c>continuationToken</c>).</exception>
    public Task<Page<RestoreJob>> ListAsync(
        int pageSize, string? continuationToken, string? configId, RestoreJobStatus? status, CancellationToken cancellationToken)
        => CatalogTables.ListAsync(_table, CatalogRows.RestoreJobPartition, pageSize, continuationToken, CatalogRows.ToRestoreJob,
            cancellationToken, JobsTable.Filter(configId, status is { } s ? RestoreJobStatusWords.Of(s) : null));

    /// <summary>
    /// The restore jobs still pending or running (of one config, or of all when <paramref name="configId"/> is null),
    /// fetched page by page as the caller enumerates: what holds a config, a site root's staging or a backup.
    /// </summary>
    public async IAsyncEnumerable<RestoreJob> ActiveAsync(string? configId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var status in new[] { RestoreJobStatus.Pending, RestoreJobStatus.Running })
        {
            string? token = null;
            do
            {
                var page = await ListAsync(BackupCatalog.MaxPageSize, token, configId, status, cancellationToken);
                foreach (var job in page.Items)
                    yield return job;
                token = page.ContinuationToken;
            }
            while (token is not null);
        }
    }

    /// <summary>Deletes a restore job's row; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        try
        {
            // The SDK answers a missing row with its 404 response rather than an exception (the catch is for older ones).
            var response = await _table.DeleteEntityAsync(CatalogRows.RestoreJobPartition, id, ETag.All, cancellationToken);
            return response.Status != (int)HttpStatusCode.NotFound;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
