using System.Runtime.CompilerServices;
using Azure.Data.Tables;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Scheduling;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The BackupConfigs table: one row per config, id <c>cfg-</c> + inverted time + random (<see cref="CatalogIds"/>), so
/// a plain scan lists newest first. The API never updates or deletes a config; the scheduler rewrites its next run.
/// </summary>
public sealed class ConfigsTable
{
    public const string TableName = "BackupConfigs";

    private readonly TableClient _table;
    private readonly TimeProvider _time;

    internal ConfigsTable(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal TableClient Client => _table;

    /// <summary>
    /// Stores a new config under a new id, created and updated now, with its next scheduled run
    /// (<see cref="StoredBackupConfig.NextRunAt"/>).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The config's JSON is larger than a table column can hold, or its schedule is invalid (validate it first).
    /// </exception>
    public async Task<StoredBackupConfig> CreateAsync(BackupConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        var now = _time.GetUtcNow();
        var stored = new StoredBackupConfig(CatalogIds.New(CatalogIds.ConfigPrefix, now), config, now, now)
        {
            NextRunAt = ScheduleCalculator.NextSlot(config.Schedule, now),
        };
        await _table.AddEntityAsync(CatalogRows.FromConfig(stored), cancellationToken);
        return stored;
    }

    public async Task<StoredBackupConfig?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.ConfigPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToConfig(row, _table.Name);
    }

    /// <summary>One page of configs, newest first.</summary>
    public Task<Page<StoredBackupConfig>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => CatalogTables.ListAsync(_table, CatalogRows.ConfigPartition, pageSize, continuationToken, CatalogRows.ToConfig, cancellationToken);

    /// <summary>Every config, newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<StoredBackupConfig> AllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in _table.QueryAsync<TableEntity>(CatalogTables.PartitionFilter(CatalogRows.ConfigPartition), cancellationToken: cancellationToken))
            yield return CatalogRows.ToConfig(row, _table.Name);
    }

    /// <summary>
    /// Records the config's next scheduled run (null: none), leaving every other column as it is; false when the config
    /// no longer exists.
    /// </summary>
    public Task<bool> SetNextRunAtAsync(string id, DateTimeOffset? nextRunAt, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        // The row is replaced with its ETag rather than merged: a merge cannot remove a column (null is not sent).
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.ConfigPartition, id, row =>
        {
            if (row is null)
                return RowChange<bool>.Keep(false);
            if (row.GetDateTimeOffset(CatalogRows.NextRunAtColumn) == nextRunAt)
                return RowChange<bool>.Keep(true);
            if (nextRunAt is { } next)
                row[CatalogRows.NextRunAtColumn] = next;
            else
                row.Remove(CatalogRows.NextRunAtColumn);
            return RowChange<bool>.Write(row, true);
        }, cancellationToken);
    }
}
