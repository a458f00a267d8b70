using Azure;
using Azure.Data.Tables;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The BackupStorage table: one row per storage location, id <c>stg-</c>… (<see cref="CatalogIds"/>). A row changes
/// through <see cref="UpdateAsync"/> (name, secrets, size, enabled: never where it points) and the result of the last
/// connection test.
/// </summary>
public sealed class StorageLocationsTable
{
    public const string TableName = "BackupStorage";

    private readonly TableClient _table;
    private readonly TimeProvider _time;

    internal StorageLocationsTable(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal TableClient Client => _table;

    /// <summary>
    /// Stores a new storage location under a new id. <paramref name="build"/> gets the id and the time, because
    /// secrets are sealed to the id they belong to.
    /// </summary>
    public async Task<StorageLocation> CreateAsync(Func<string, DateTimeOffset, StorageLocation> build, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(build);
        var now = _time.GetUtcNow();
        var location = build(CatalogIds.New(CatalogIds.StoragePrefix, now), now);
        await _table.AddEntityAsync(CatalogRows.FromStorage(location), cancellationToken);
        return location;
    }

    public async Task<StorageLocation?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.StoragePartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToStorage(row, _table.Name);
    }

    /// <summary>One page of storage locations, newest first.</summary>
    public Task<Page<StorageLocation>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => CatalogTables.ListAsync(_table, CatalogRows.StoragePartition, pageSize, continuationToken, CatalogRows.ToStorage, cancellationToken);

    /// <summary>Read-modify-write with the row's ETag (<see cref="ETagRetry"/>); null when the location does not exist.</summary>
    public Task<StorageLocation?> UpdateAsync(string id, Func<StorageLocation, StorageLocation> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(change);
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.StoragePartition, id, row =>
        {
            if (row is null)
                return RowChange<StorageLocation?>.Keep(null);
            var updated = change(CatalogRows.ToStorage(row, _table.Name)) with { UpdatedAt = _time.GetUtcNow() };
            return RowChange<StorageLocation?>.Write(CatalogRows.FromStorage(updated), updated);
        }, cancellationToken);
    }

    /// <summary>Deletes the row; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        if (!CatalogTables.IsKey(id))
            return false;
        try
        {
            var response = await _table.DeleteEntityAsync(CatalogRows.StoragePartition, id, ETag.All, cancellationToken);
            return response.Status != 404;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Records the result of a connection test on the location's row (other columns untouched).</summary>
    public async Task RecordTestAsync(string id, StorageProbeResult result, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        await _table.UpdateEntityAsync(CatalogRows.StorageTestColumns(id, result), ETag.All, TableUpdateMode.Merge, cancellationToken);
    }
}
