using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The Backups table: one row per recorded backup (its id is its job's id, so newest first), and beside them one
/// counter row per config (<see cref="BackupCounts"/>) so that totals are read, not counted.
/// </summary>
/// <remarks>
/// The counter rows share the backups' partition, so every write of a backup row changes its config's counter in the
/// same entity-group transaction, both conditional on the ETags read (<see cref="ETagRetry"/>): a count never drifts
/// from the rows, whatever fails or races. Their row keys start with <c>~</c>, after every backup id (ids start with
/// digits), and every listing here stops before them. Rows recorded before counters existed are counted once, by the
/// first <see cref="CountAsync"/> (see <see cref="EnsureCountedAsync"/>).
/// </remarks>
public sealed class BackupsTable
{
    public const string TableName = "Backups";

    /// <summary>Row keys at or above this are not backups (every backup id sorts below it).</summary>
    private const string FirstNonBackupKey = "~";
    private const string CounterPrefix = "~c~";
    private const string CounterEnd = "~c~~";
    private const string CountedMarker = "~counted";
    private const string CountsColumn = "Counts";

    /// <summary>Counter rows per transaction (the service's limit is 100 operations).</summary>
    private const int MaxTransaction = 99;

    private readonly TableClient _table;
    private volatile bool _counted;

    internal BackupsTable(TableClient table) => _table = table;

    internal TableClient Client => _table;

    /// <summary>Insert or replace (recording is idempotent); the config's counter changes with it.</summary>
    public async Task UpsertAsync(BackupRecord backup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(backup);
        CatalogTables.RequireKey(backup.Id, nameof(backup));
        RequireBackupKey(backup.Id);
        await WriteAsync(backup.Id, _ => (CatalogRows.FromBackup(backup), true), cancellationToken);
    }

    public async Task<BackupRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        if (!IsBackupKey(id))
            return null;
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.BackupPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToBackup(row, _table.Name);
    }

    /// <summary>One page of backups, newest first.</summary>
    public Task<Page<BackupRecord>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => ListAsync(new BackupListFilter(), pageSize, continuationToken, cancellationToken);

    /// <summary>
    /// One page of the backups <paramref name="filter"/> keeps, newest first (by id). The filter runs in the service;
    /// as with every filtered listing a page may hold fewer items and still have a continuation token.
    /// </summary>
    public Task<Page<BackupRecord>> ListAsync(BackupListFilter filter, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return CatalogTables.ListAsync(_table, CatalogRows.BackupPartition, pageSize, continuationToken, CatalogRows.ToBackup, cancellationToken,
            FilterOf(filter));
    }

    /// <summary>
    /// How many backups <paramref name="filter"/> keeps, from the counter rows (one point read with a config, one
    /// read of the counter rows without); null for a filter with a time range, which no counter can answer.
    /// </summary>
    public async Task<long?> CountAsync(BackupListFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (!filter.Countable)
            return null;
        await EnsureCountedAsync(cancellationToken);
        if (filter.ConfigId is { } configId)
            return (await CountsOfAsync(configId, cancellationToken))?.Count(filter.Type, filter.Statuses) ?? 0;
        long total = 0;
        await foreach (var row in _table.QueryAsync<TableEntity>(CounterRangeFilter(), cancellationToken: cancellationToken))
            total += ToCounts(row).Count(filter.Type, filter.Statuses);
        return total;
    }

    /// <summary>The counts of one config (null: it never had a backup row since counting began).</summary>
    public async Task<BackupCounts?> CountsOfAsync(string configId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.BackupPartition, CounterPrefix + configId, cancellationToken);
        return row is null ? null : ToCounts(row);
    }

    /// <summary>Read-modify-write of a backup row with its ETag (<see cref="ETagRetry"/>, like <see cref="JobsTable.UpdateAsync"/>).</summary>
    /// <exception cref="KeyNotFoundException">The backup does not exist.</exception>
    public async Task<BackupRecord> UpdateAsync(string id, Func<BackupRecord, BackupRecord> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(change);
        BackupRecord? result = null;
        await WriteAsync(id, row =>
        {
            if (row is null || !IsBackupKey(id))
                throw new KeyNotFoundException($"Backup '{id}' does not exist.");
            result = change(CatalogRows.ToBackup(row, _table.Name));
            return (CatalogRows.FromBackup(result), true);
        }, cancellationToken);
        return result!;
    }

    /// <summary>Every backup, newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupRecord> AllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in _table.QueryAsync<TableEntity>(BackupRangeFilter(), cancellationToken: cancellationToken))
            yield return CatalogRows.ToBackup(row, _table.Name);
    }

    /// <summary>Every backup of one config (any status), newest first, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupRecord> OfConfigAsync(string configId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        var filter = BackupRangeFilter() + " and " + TableClient.CreateQueryFilter($"ConfigId eq {configId}");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToBackup(row, _table.Name);
    }

    /// <summary>Deletes a backup's row (its objects must be gone first); false when there was no such row.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        if (!IsBackupKey(id))
            return false;
        var existed = false;
        await WriteAsync(id, row =>
        {
            existed = row is not null;
            return (null, row is not null);
        }, cancellationToken);
        return existed;
    }

    /// <summary>
    /// One attempt, retried on a lost race: reads the backup row, lets <paramref name="decide"/> give the new row (null:
    /// delete it) and whether to write at all, and writes it together with the counter rows it changes, all
    /// conditional on what was read.
    /// </summary>
    private Task WriteAsync(string id, Func<TableEntity?, (TableEntity? Row, bool Write)> decide, CancellationToken cancellationToken)
        => ETagRetry.Default.RunAsync(async (_, ct) =>
        {
            var current = await CatalogTables.GetRowAsync(_table, CatalogRows.BackupPartition, id, ct);
            var (row, write) = decide(current);
            if (!write)
                return true;
            var actions = new List<TableTransactionAction>(3);
            if (row is null)
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, current!, current!.ETag));
            else if (current is null)
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, row));
            else
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, current.ETag));

            var deltas = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
            if (current is not null)
                Add(deltas, current, -1);
            if (row is not null)
                Add(deltas, row, +1);
            foreach (var (configId, delta) in deltas)
            {
                if (delta.Values.All(v => v == 0))
                    continue;
                var counterKey = CounterPrefix + configId;
                var counter = await CatalogTables.GetRowAsync(_table, CatalogRows.BackupPartition, counterKey, ct);
                var counts = counter is null ? new Dictionary<string, long>(StringComparer.Ordinal) : new Dictionary<string, long>(ToCounts(counter).ByTypeAndStatus, StringComparer.Ordinal);
                foreach (var (key, change) in delta)
                {
                    var value = counts.GetValueOrDefault(key) + change;
                    // Below zero only for a row recorded before counting began and not yet counted: the count comes later.
                    if (value <= 0)
                        counts.Remove(key);
                    else
                        counts[key] = value;
                }
                var entity = CounterRow(configId, counts);
                actions.Add(counter is null
                    ? new TableTransactionAction(TableTransactionActionType.Add, entity)
                    : new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, counter.ETag));
            }
            await _table.SubmitTransactionAsync(actions, ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Counts the rows written before counter rows existed, once per table (the marker row says it was done): the
    /// counter rows read first, then every backup row, then each counter written conditional on its first read, so a
    /// backup written meanwhile (which changes its counter) makes the count start again.
    /// </summary>
    private async Task EnsureCountedAsync(CancellationToken cancellationToken)
    {
        if (_counted)
            return;
        if (await CatalogTables.GetRowAsync(_table, CatalogRows.BackupPartition, CountedMarker, cancellationToken) is not null)
        {
            _counted = true;
            return;
        }
        await ETagRetry.Default.RunAsync(async (_, ct) =>
        {
            var before = new Dictionary<string, ETag>(StringComparer.Ordinal);
            await foreach (var row in _table.QueryAsync<TableEntity>(CounterRangeFilter(), cancellationToken: ct))
                before[row.RowKey[CounterPrefix.Length..]] = row.ETag;
            var counts = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
            await foreach (var row in _table.QueryAsync<TableEntity>(BackupRangeFilter(), select: ["ConfigId", "Type", "Status"], cancellationToken: ct))
                Add(counts, row, +1);
            var actions = before.Keys.Union(counts.Keys).Select(configId =>
            {
                var entity = CounterRow(configId, counts.GetValueOrDefault(configId) ?? []);
                return before.TryGetValue(configId, out var etag)
                    ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, etag)
                    : new TableTransactionAction(TableTransactionActionType.Add, entity);
            }).Append(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(CatalogRows.BackupPartition, CountedMarker))).ToList();
            foreach (var chunk in actions.Chunk(MaxTransaction))
                await _table.SubmitTransactionAsync(chunk, ct);
            return true;
        }, cancellationToken);
        _counted = true;
    }

    private static void Add(Dictionary<string, Dictionary<string, long>> deltas, TableEntity backupRow, long change)
    {
        if (backupRow.GetString("ConfigId") is not { } configId)
            return;
        var key = BackupCounts.Key(backupRow.GetString("Type") ?? Format.BackupTypes.Full, backupRow.GetString("Status") ?? BackupStatuses.Completed);
        if (!deltas.TryGetValue(configId, out var delta))
            deltas[configId] = delta = new Dictionary<string, long>(StringComparer.Ordinal);
        delta[key] = delta.GetValueOrDefault(key) + change;
    }

    private static TableEntity CounterRow(string configId, Dictionary<string, long> counts)
        => new(CatalogRows.BackupPartition, CounterPrefix + configId) { [CountsColumn] = JsonSerializer.Serialize(counts) };

    private BackupCounts ToCounts(TableEntity row)
    {
        try
        {
            var counts = JsonSerializer.Deserialize<Dictionary<string, long>>(row.GetString(CountsColumn) ?? "{}") ?? [];
            return new BackupCounts(row.RowKey[CounterPrefix.Length..], counts);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Row '{row.RowKey}' of table {_table.Name} has an unreadable {CountsColumn} column.", e);
        }
    }

    private static string FilterOf(BackupListFilter filter)
    {
        var parts = new List<string> { TableClient.CreateQueryFilter($"RowKey lt {FirstNonBackupKey}") };
        if (filter.ConfigId is { } configId)
            parts.Add(TableClient.CreateQueryFilter($"ConfigId eq {configId}"));
        if (filter.Type is { } type)
            parts.Add(TableClient.CreateQueryFilter($"Type eq {type}"));
        if (filter.Statuses is { Count: > 0 } statuses)
            parts.Add("(" + string.Join(" or ", statuses.Select(s => TableClient.CreateQueryFilter($"Status eq {s}"))) + ")");
        if (filter.From is { } from)
            parts.Add(TableClient.CreateQueryFilter($"CreatedAt ge {from}"));
        if (filter.To is { } to)
            parts.Add(TableClient.CreateQueryFilter($"CreatedAt lt {to}"));
        return string.Join(" and ", parts);
    }

    private static string BackupRangeFilter()
        => CatalogTables.PartitionFilter(CatalogRows.BackupPartition) + " and " + TableClient.CreateQueryFilter($"RowKey lt {FirstNonBackupKey}");

    private static string CounterRangeFilter()
        => CatalogTables.PartitionFilter(CatalogRows.BackupPartition) + " and "
            + TableClient.CreateQueryFilter($"RowKey ge {CounterPrefix} and RowKey lt {CounterEnd}");

    private static bool IsBackupKey(string id) => string.CompareOrdinal(id, FirstNonBackupKey) < 0;

    private static void RequireBackupKey(string id)
    {
        if (!IsBackupKey(id))
            throw new ArgumentException($"'{id}' cannot be a backup id (it sorts among the counter rows).", nameof(id));
    }
}
