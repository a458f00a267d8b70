using System.Globalization;
using System.Runtime.CompilerServices;
using Azure.Data.Tables;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The BackupAlerts table: one row per alert subject (<see cref="AlertTypes.IdFor"/>), moved through its lifecycle
/// by <see cref="AlertLifecycle"/> with ETag-guarded writes (<see cref="ETagRetry"/>).
/// </summary>
public sealed class AlertsTable
{
    public const string TableName = "BackupAlerts";

    private readonly TableClient _table;
    private readonly TimeProvider _time;

    internal AlertsTable(TableClient table, TimeProvider time)
    {
        _table = table;
        _time = time;
    }

    internal TableClient Client => _table;

    /// <summary>
    /// Raises an alert by the rules of <see cref="AlertLifecycle.Raise"/>: a new or resolved alert is (re)opened and
    /// <see cref="RaisedAlert.IsNew"/>; an open or acknowledged one is only updated (message, severity, last seen,
    /// occurrences). Concurrent raises of one alert are serialised with the row's ETag, so exactly one of them is new.
    /// </summary>
    public Task<RaisedAlert> RaiseAsync(BackupAlert alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        CatalogTables.RequireKey(alert.Id, nameof(alert));
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.AlertPartition, alert.Id, row =>
        {
            var raised = AlertLifecycle.Raise(row is null ? null : CatalogRows.ToAlert(row, _table.Name), alert, _time.GetUtcNow());
            return RowChange<RaisedAlert>.Write(CatalogRows.FromAlert(raised.Alert), raised);
        }, cancellationToken);
    }

    /// <summary>Marks an open or acknowledged alert resolved (its cause is gone).</summary>
    /// <returns>The alert as resolved now; null when there is no such alert or it was resolved already.</returns>
    public Task<BackupAlert?> ResolveAsync(string id, CancellationToken cancellationToken)
    {
        CatalogTables.RequireKey(id, nameof(id));
        return ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.AlertPartition, id, row =>
            row is null || AlertLifecycle.Resolve(CatalogRows.ToAlert(row, _table.Name), _time.GetUtcNow()) is not { } resolved
                ? RowChange<BackupAlert?>.Keep(null)
                : RowChange<BackupAlert?>.Write(CatalogRows.FromAlert(resolved), resolved), cancellationToken);
    }

    /// <summary>
    /// Acknowledges an open alert (someone is on it); see <see cref="AlertLifecycle.Acknowledge"/>. An id that no
    /// alert can have is <see cref="AcknowledgeOutcome.NotFound"/>.
    /// </summary>
    /// <returns>The outcome and the alert as it is now (null when not found).</returns>
    public Task<(AcknowledgeOutcome Outcome, BackupAlert? Alert)> AcknowledgeAsync(
        string id, string? by, string? note, CancellationToken cancellationToken)
        => ETagRetry.Default.ReadModifyWriteAsync(_table, CatalogRows.AlertPartition, id, row =>
        {
            var (outcome, alert) = AlertLifecycle.Acknowledge(
                row is null ? null : CatalogRows.ToAlert(row, _table.Name), by, note, _time.GetUtcNow());
            return outcome == AcknowledgeOutcome.Acknowledged
                ? RowChange<(AcknowledgeOutcome, BackupAlert?)>.Write(CatalogRows.FromAlert(alert!), (outcome, alert))
                : RowChange<(AcknowledgeOutcome, BackupAlert?)>.Keep((outcome, alert));
        }, cancellationToken);

    public async Task<BackupAlert?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var row = await CatalogTables.GetRowAsync(_table, CatalogRows.AlertPartition, id, cancellationToken);
        return row is null ? null : CatalogRows.ToAlert(row, _table.Name);
    }

    /// <summary>One page of alerts, newest first (see the other overload).</summary>
    public Task<Page<BackupAlert>> ListAsync(int pageSize, string? continuationToken, CancellationToken cancellationToken)
        => ListAsync(new AlertQuery(), pageSize, continuationToken, cancellationToken);

    /// <summary>
    /// One page of the alerts that match <paramref name="query"/>, newest first (by <see cref="BackupAlert.CreatedAt"/>).
    /// Alert row keys name their subject, not a time, so the matching rows are read and sorted here: there is one row
    /// per subject, a small table. The continuation token is the position of the next page.
    /// </summary>
    /// <exception cref="ArgumentException">The continuation token is not one this method returned (parameter <c>continuationToken</c>).</exception>
    public async Task<Page<BackupAlert>> ListAsync(
        AlertQuery query, int pageSize, string? continuationToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, BackupCatalog.MaxPageSize);
        var skip = 0;
        if (continuationToken is not null && (!int.TryParse(continuationToken, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 1))
            throw new ArgumentException("The continuation token is not valid.", nameof(continuationToken));

        var filters = new List<string> { CatalogTables.PartitionFilter(CatalogRows.AlertPartition) };
        if (query.Status is { } status)
            filters.Add(TableClient.CreateQueryFilter($"Status eq {status}"));
        if (query.ConfigId is { } configId)
            filters.Add(TableClient.CreateQueryFilter($"ConfigId eq {configId}"));
        if (query.Severity is { } severity)
            filters.Add(TableClient.CreateQueryFilter($"Severity eq {severity}"));
        if (query.Type is { } type)
            filters.Add(TableClient.CreateQueryFilter($"Type eq {type}"));
        var matching = new List<BackupAlert>();
        await foreach (var row in _table.QueryAsync<TableEntity>(string.Join(" and ", filters), cancellationToken: cancellationToken))
            matching.Add(CatalogRows.ToAlert(row, _table.Name));

        var page = matching.OrderByDescending(a => a.CreatedAt).ThenBy(a => a.Id, StringComparer.Ordinal).Skip(skip).Take(pageSize).ToList();
        var next = skip + page.Count < matching.Count ? (skip + page.Count).ToString(CultureInfo.InvariantCulture) : null;
        return new Page<BackupAlert>(page, next);
    }

    /// <summary>Every open or acknowledged alert, in id order, fetched page by page as the caller enumerates.</summary>
    public async IAsyncEnumerable<BackupAlert> UnresolvedAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var filter = CatalogTables.PartitionFilter(CatalogRows.AlertPartition) + " and "
            + TableClient.CreateQueryFilter($"(Status eq {AlertStatuses.Open} or Status eq {AlertStatuses.Acknowledged})");
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return CatalogRows.ToAlert(row, _table.Name);
    }
}
