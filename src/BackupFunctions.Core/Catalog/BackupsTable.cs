using System.Net;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>The Backups table: one row per recorded backup (its id is its job's id, so newest first).</summary>
public sealed class BackupsTable
{
    public const string TableName = "Backups";

    private readonly TableClient _table;

    internal BackupsTable(TableClient table) => _table = table;

    internal TableClient Client => _table;

    /// <summary>Insert or replace (recording is idempotent).</summary>
    public async Task UpsertAsync(BackupRecord backup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        CatalogTables.RequireKey(backup.Id, nameof(backup));
        await _table.UpsertEntityAsync(CatalogRows.FromBackup(backup), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<BackupRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.BackupPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToBackup(row, _table.Name);
    }

    /// <summary>One page of backups, newest first.</summary>
    public Task<Page<BackupRecord>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => CatalogTables.ListAsync(_table, CatalogRows.BackupPartition, pageSize, continuationToken, CatalogRows.ToBackup, cancellationToken);

    /// <summary>Read-modify-write of a backup row with its ETag (<see cref="ETagRetry"/>, like <see cref="JobsTable.UpdateAsync"/>).</summary>
    /// <exception cref="KeyNotFoundException">The backup does not exist.</exception>
    public Task<BackupRecord> UpdateAsync(string id, Func<BackupRecord, BackupRecord> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(change);
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.BackupPartition, id, row =>
        {
            if (row is null)
                throw new KeyNotFoundException($"Backup '{id}' does not exist.");
            var updated = change(CatalogRows.ToBackup(row, _table.Name));
            return RowChange<BackupRecord>.Write(CatalogRows.FromBackup(updated), updated);
        }, cancellationToken);
    }

    /// <summary>Every backup, newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupRecord> AllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in _table.QueryAsync<TableEntity>(CatalogTables.PartitionFilter(CatalogRows.BackupPartition), cancellationToken: cancellationToken))
            yield return CatalogRows.ToBackup(row, _table.Name);
    }

    /// <summary>Every backup of one config (any status), newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupRecord> OfConfigAsync(string configId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        var filter = CatalogTables.PartitionFilter(CatalogRows.BackupPartition) + " and " + TableClient.CreateQueryFilter($"ConfigId eq {configId}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToBackup(row, _table.Name);
    }

    /// <summary>Deletes a backup's row (its objects must be gone first); false when there was no such row.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        try
        {
            // The SDK answers a missing row with its 404 response rather than an exception (the catch is for older ones).
            var response = await _table.DeleteEntityAsync(CatalogRows.BackupPartition, id, ETag.All, cancellationToken);
            return response.Status != (int)HttpStatusCode.NotFound;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
