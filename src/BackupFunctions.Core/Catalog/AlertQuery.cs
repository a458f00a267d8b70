namespace BackupFunctions.Core.Catalog;

/// <summary>Which alerts <see cref="AlertsTable.ListAsync(AlertQuery, int, string?, CancellationToken)"/> lists; null matches any.</summary>
public sealed record AlertQuery
{
    /// <summary><c>open</c>, <c>acknowledged</c> or <c>resolved</c>.</summary>
    public string? Status { get; init; }

    public string? ConfigId { get; init; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</summary>
    public string? Severity { get; init; }

    /// <summary>One of <see cref="AlertTypes"/>.</summary>
    public string? Type { get; init; }
}
