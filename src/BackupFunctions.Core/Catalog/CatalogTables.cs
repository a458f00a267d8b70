using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>What every catalog table class does the same way: point reads, paged newest-first listings, key checks.</summary>
internal static class CatalogTables
{
    /// <summary>The row, or null when it does not exist; an id no row key can have (see <see cref="IsKey"/>) finds nothing.</summary>
    public static async Task<TableEntity?> GetRowAsync(TableClient table, string partition, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IsKey(id))
            return null;
        var response = await table.GetEntityIfExistsAsync<TableEntity>(partition, id, cancellationToken: cancellationToken);
        return response.HasValue ? response.Value : null;
    }

    /// <remarks>
    /// The page may hold fewer than <paramref name="pageSize"/> items and still have a continuation token: the
    /// service ends a page early at its own limits (and with a filter, at rows it skipped). Callers page until the
    /// token is null.
    /// </remarks>
    public static async Task<Page<T>> ListAsync<T>(
        TableClient table, string partition, int pageSize, string? continuationToken,
        Func<TableEntity, string, T> map, CancellationToken cancellationToken, string? extraFilter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, BackupCatalog.MaxPageSize);

        var filter = extraFilter is null ? PartitionFilter(partition) : PartitionFilter(partition) + " and " + extraFilter;
        var pages = table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: cancellationToken)
            .AsPages(ContinuationTokens.Unwrap(continuationToken), pageSize);
        await foreach (var page in pages)
            return new Page<T>(page.Values.Select(row => map(row, table.Name)).ToList(), ContinuationTokens.Wrap(page.ContinuationToken));
        return new Page<T>([], null);
    }

    public static string PartitionFilter(string partition) => TableClient.CreateQueryFilter($"PartitionKey eq {partition}");

    /// <summary>Whether <paramref name="id"/> can be a row key: not empty, at most 1 KiB, none of / \ # ? or control characters.</summary>
    public static bool IsKey(string id)
        => id.Length is > 0 and <= 512 && !id.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c));

    public static void RequireKey(string id, string paramName)
    {
        if (!IsKey(id))
            throw new ArgumentException($"'{id}' cannot be a catalog id (empty, too long, or containing / \\ # ? or control characters).", paramName);
    }
}
