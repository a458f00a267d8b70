using Azure;
using Azure.Data.Tables;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The BackupStorage table: one row per storage location, id <c>stg-</c>… (<see cref="CatalogIds"/>). Rows are written
/// once and never changed, except the result of the last connection test.
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

    /// <summary>Records the result of a connection test on the location's row (other columns untouched).</summary>
    public async Task RecordTestAsync(string id, StorageProbeResult result, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        await _table.UpdateEntityAsync(CatalogRows.StorageTestColumns(id, result), ETag.All, TableUpdateMode.Merge, cancellationToken);
    }
}
