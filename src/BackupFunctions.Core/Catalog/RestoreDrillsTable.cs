using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The RestoreDrills table: one row per drill (partition <c>drill</c>; the whole drill as JSON beside the columns a
/// listing filters on), and per config one guard row (partition <c>drill-active</c>, row key the config id) naming
/// the drill that holds the config's one place: two drills of one config never run at once.
/// </summary>
public sealed class RestoreDrillsTable
{
    public const string TableName = "RestoreDrills";

    private const string DrillPartition = "drill";
    private const string GuardPartition = "drill-active";
    private const string Prefix = "drl-";

    private readonly TableClient _table;
    private readonly TimeProvider _time;

    internal RestoreDrillsTable(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal TableClient Client => _table;

    /// <summary>A drill started by hand: <c>drl-</c>, inverted time, random (<see cref="CatalogIds"/>).</summary>
    public static string NewId(DateTimeOffset now) => CatalogIds.New(Prefix, now);

    /// <summary>A scheduled drill: the same config and slot always give the same id, so a slot runs once.</summary>
    public static string IdForSchedule(string configId, DateTimeOffset slot)
    {
        var inverted = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() - slot.ToUnixTimeMilliseconds();
        return Prefix + inverted.ToString("x12", CultureInfo.InvariantCulture) + "-" + configId;
    }

    /// <summary>Inserts a new drill; false when one with that id exists already.</summary>
    public async Task<bool> TryCreateAsync(RestoreDrill drill, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(drill);
        CatalogTables.RequireKey(drill.Id, nameof(drill));
        try
        {
            await _table.AddEntityAsync(ToRow(drill with { LastUpdatedAt = _time.GetUtcNow() }), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
            return false;
        }
    }

    public async Task<RestoreDrill?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, DrillPartition, id, cancellationToken);
        return row is null ? null : FromRow(row);
    }

    /// <summary>Read-modify-write with the row's ETag; stamps <see cref="RestoreDrill.LastUpdatedAt"/>.</summary>
    /// <exception cref="KeyNotFoundException">The drill does not exist.</exception>
    public Task<RestoreDrill> UpdateAsync(string id, Func<RestoreDrill, RestoreDrill> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(change);
        return ETagRetry.Default.ReadModifyWriteAsync(_table, DrillPartition, id, row =>
        {
            if (row is null)
                throw new KeyNotFoundException($"Restore drill '{id}' does not exist.");
            var updated = change(FromRow(row)) with { LastUpdatedAt = _time.GetUtcNow() };
            if (updated.Id != id)
                throw new InvalidOperationException($"A drill update must not change its id ('{id}' to '{updated.Id}').");
            return RowChange<RestoreDrill>.Write(ToRow(updated), updated);
        }, cancellationToken);
    }

    /// <summary>One page of drills, newest first, of one config (null: all).</summary>
    public Task<Page<RestoreDrill>> ListAsync(int pageSize, string? continuationToken, string? configId, CancellationToken cancellationToken)
        => CatalogTables.ListAsync(_table, DrillPartition, pageSize, continuationToken, (row, _) => FromRow(row), cancellationToken,
            configId is null ? null : TableClient.CreateQueryFilter($"ConfigId eq {configId}"));

    /// <summary>The config's newest drill that passed or failed; null when none has.</summary>
    public async Task<RestoreDrill?> LatestFinishedAsync(string configId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configId);
        var filter = CatalogTables.PartitionFilter(DrillPartition) + " and "
            + TableClient.CreateQueryFilter($"ConfigId eq {configId} and (Status eq {RestoreDrillStatuses.Passed} or Status eq {RestoreDrillStatuses.Failed})");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: 10, cancellationToken: cancellationToken))
            return FromRow(row);
        return null;
    }

    /// <summary>The drills still pending or running, of every config, page by page as the caller enumerates (the watchdog's candidates).</summary>
    public async IAsyncEnumerable<RestoreDrill> ActiveAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = CatalogTables.PartitionFilter(DrillPartition) + " and "
            + TableClient.CreateQueryFilter($"(Status eq {RestoreDrillStatuses.Pending} or Status eq {RestoreDrillStatuses.Running})");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: BackupCatalog.MaxPageSize, cancellationToken: cancellationToken))
            yield return FromRow(row);
    }

    /// <summary>The drill holding the config's place, or null.</summary>
    public async Task<string?> ActiveDrillAsync(string configId, CancellationToken cancellationToken)
        => (await CatalogTables.GetRowAsync(_table, GuardPartition, configId, cancellationToken))?.GetString("DrillId");

    /// <summary>
    /// Takes the config's one place for <paramref name="drillId"/>: true when it was free, already this drill's, or held
    /// by a drill that <paramref name="isStale"/> (given the holder's id and when it claimed) says is over (finished, or
    /// left without an orchestration). The guard row is written with the read's ETag, so of two simultaneous claims one wins.
    /// </summary>
    public async Task<bool> TryClaimAsync(
        string configId, string drillId, Func<string, DateTimeOffset, Task<bool>> isStale, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(isStale);
        CatalogTables.RequireKey(configId, nameof(configId));
        var guard = new TableEntity(GuardPartition, configId) { ["DrillId"] = drillId, ["ClaimedAt"] = _time.GetUtcNow() };
        try
        {
            await _table.AddEntityAsync(guard, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == (int)HttpStatusCode.Conflict)
        {
        }
        if (await CatalogTables.GetRowAsync(_table, GuardPartition, configId, cancellationToken) is not { } current)
            return false; // released meanwhile by the drill that held it: the caller tries again at the next firing or request
        var holder = current.GetString("DrillId");
        if (holder == drillId)
            return true;
        if (holder is not null && !await isStale(holder, current.GetDateTimeOffset("ClaimedAt") ?? DateTimeOffset.MinValue))
            return false;
        try
        {
            await _table.UpdateEntityAsync(guard, current.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (ETagRetry.IsLostRace(e))
        {
            return false;
        }
    }

    /// <summary>Gives the config's place back, if <paramref name="drillId"/> still holds it.</summary>
    public async Task ReleaseAsync(string configId, string drillId, CancellationToken cancellationToken)
    {
        if (await CatalogTables.GetRowAsync(_table, GuardPartition, configId, cancellationToken) is not { } current
            || current.GetString("DrillId") != drillId)
            return;
        try
        {
            await _table.DeleteEntityAsync(GuardPartition, configId, current.ETag, cancellationToken);
        }
        catch (RequestFailedException e) when (ETagRetry.IsLostRace(e))
        {
            // Another drill took over the place meanwhile: it is its now.
        }
    }

    private static TableEntity ToRow(RestoreDrill drill)
    {
        var json = JsonSerializer.Serialize(drill, CatalogJson.Options);
        if (json.Length > CatalogRows.MaxColumnChars)
            throw new ArgumentException($"Restore drill {drill.Id} is too large to store ({json.Length} characters of JSON).", nameof(drill));
        return new TableEntity(DrillPartition, drill.Id)
        {
            ["ConfigId"] = drill.ConfigId,
            ["Status"] = drill.Status,
            ["CreatedAt"] = drill.CreatedAt,
            ["Drill"] = json,
        };
    }

    private static RestoreDrill FromRow(TableEntity row)
    {
        try
        {
            return JsonSerializer.Deserialize<RestoreDrill>(row.GetString("Drill") ?? throw new FormatException("Column Drill is missing."), CatalogJson.Options)
                ?? throw new FormatException("Column Drill holds JSON null.");
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw new InvalidDataException($"Catalog table {TableName}, row {row.RowKey}, is corrupt: {e.Message}", e);
        }
    }
}
