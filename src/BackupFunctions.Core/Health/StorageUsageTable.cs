using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Health;

/// <summary>
/// The last measured usage of each destination, in the table BackupHealth (prefixed like the catalog's tables),
/// partition <c>usage</c>, one row per destination key. Written by the hourly alert evaluation, read by the health
/// endpoint. The table is created by the first write; until then there is simply nothing measured.
/// </summary>
public sealed class StorageUsageTable
{
    private const string UsagePartition = "usage";
    private readonly TableClient _table;

    public StorageUsageTable(TableServiceClient service, string tablePrefix)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(tablePrefix);
        _table = service.GetTableClient(tablePrefix + "BackupHealth");
    }

    public async Task EnsureCreatedAsync(CancellationToken cancellationToken)
        => await _table.CreateIfNotExistsAsync(cancellationToken);

    /// <summary>Stores a measurement, replacing the destination's previous one.</summary>
    public async Task SaveAsync(StorageUsage usage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(usage);
        await _table.UpsertEntityAsync(new TableEntity(UsagePartition, usage.Destination)
        {
            ["Name"] = usage.Name,
            ["UsedBytes"] = usage.UsedBytes,
            ["TemporaryBytes"] = usage.TemporaryBytes,
            ["TemporaryObjects"] = usage.TemporaryObjects,
            ["TotalBytes"] = usage.TotalBytes,
            ["Percentage"] = usage.Percentage,
            ["TotalFrom"] = usage.TotalFrom,
            ["MeasuredAt"] = usage.MeasuredAt,
        }, TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Every stored measurement; none when the table does not exist yet.</summary>
    public async IAsyncEnumerable<StorageUsage> AllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var rows = _table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {UsagePartition}"), cancellationToken: cancellationToken);
        await using var enumerator = rows.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            try
            {
                if (!await enumerator.MoveNextAsync())
                    yield break;
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                yield break;
            }
            var row = enumerator.Current;
            yield return new StorageUsage
            {
                Destination = row.RowKey,
                Name = row.GetString("Name") ?? row.RowKey,
                UsedBytes = Number(row, "UsedBytes") is { } used ? (long)used : 0,
                TemporaryBytes = Number(row, "TemporaryBytes") is { } temporary ? (long)temporary : 0,
                TemporaryObjects = Number(row, "TemporaryObjects") is { } temporaries ? (int)temporaries : 0,
                TotalBytes = Number(row, "TotalBytes") is { } total ? (long)total : null,
                Percentage = Number(row, "Percentage"),
                TotalFrom = row.GetString("TotalFrom"),
                MeasuredAt = row.GetDateTimeOffset("MeasuredAt") ?? DateTimeOffset.MinValue,
            };
        }
    }

    // The service may hand back a whole-number double as an integer and a small Int64 as Int32.
    private static double? Number(TableEntity row, string column) => row.TryGetValue(column, out var value) ? value switch
    {
        double d => d,
        long l => l,
        int i => i,
        _ => null,
    } : null;
}
