namespace BackupFunctions.Core.Catalog;

/// <summary>
/// Something an operator must look at. The id is made from what the alert is about (type, config, backup, copy), so
/// raising the same alert again updates it instead of adding a second one.
/// </summary>
public sealed record BackupAlert
{
    public required string Id { get; init; }

    /// <summary><c>replication_failed</c>, <c>verification_failed</c>, … (see <see cref="AlertTypes"/>).</summary>
    public required string Type { get; init; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c>.</summary>
    public required string Severity { get; init; }

    public required string ConfigId { get; init; }
    public string? BackupId { get; init; }
    public required string Message { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary><c>open</c>, <c>acknowledged</c> (someone is on it) or <c>resolved</c> (its cause is gone).</summary>
    public string Status { get; init; } = "open";
}
