namespace BackupFunctions.Core.Catalog;

/// <summary>
/// Something an operator must look at. The id is made from what the alert is about (type, config, backup, copy,
/// destination), so raising the same alert again updates it instead of adding a second one (see
/// <see cref="AlertLifecycle"/>).
/// </summary>
public sealed record BackupAlert
{
    public required string Id { get; init; }

    /// <summary><c>backup_failed</c>, <c>storage_full</c>, … (see <see cref="AlertTypes"/>).</summary>
    public required string Type { get; init; }

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c> or <c>critical</c> (see <see cref="AlertSeverities"/>).</summary>
    public required string Severity { get; init; }

    public required string ConfigId { get; init; }
    public string? BackupId { get; init; }

    /// <summary>The destination a storage_full alert is about: a storage location id, or an inline destination's key.</summary>
    public string? Destination { get; init; }

    public required string Message { get; init; }

    /// <summary>When the alert was raised (again, after it had been resolved).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its cause was last seen; raising an open alert again moves this, not <see cref="CreatedAt"/>.</summary>
    public DateTimeOffset? LastSeenAt { get; init; }

    /// <summary>How often the cause was seen since the alert was raised.</summary>
    public int Occurrences { get; init; } = 1;

    /// <summary><c>open</c>, <c>acknowledged</c> (someone is on it) or <c>resolved</c> (its cause is gone); see <see cref="AlertStatuses"/>.</summary>
    public string Status { get; init; } = AlertStatuses.Open;

    public DateTimeOffset? AcknowledgedAt { get; init; }

    /// <summary>Who acknowledged it, as they said (free text, not an identity).</summary>
    public string? AcknowledgedBy { get; init; }

    public string? AcknowledgementNote { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }
}
