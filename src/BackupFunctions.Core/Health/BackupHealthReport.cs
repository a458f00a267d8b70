namespace BackupFunctions.Core.Health;

/// <summary>GET /api/backup-health: the service as a whole and each config.</summary>
public sealed record BackupHealthReport
{
    /// <summary>The worst status of any config or unresolved alert: <c>healthy</c>, <c>warning</c> or <c>critical</c>.</summary>
    public required string Status { get; init; }

    public required DateTimeOffset CheckedAt { get; init; }

    public required HealthCounts Counts { get; init; }

    /// <summary>Unresolved (open or acknowledged) alerts per severity, every severity listed.</summary>
    public required IReadOnlyDictionary<string, int> OpenAlertsBySeverity { get; init; }

    public required IReadOnlyList<ConfigHealth> Configs { get; init; }

    /// <summary>pg_dump and pg_restore as found at start-up: path and version, or why not usable.</summary>
    public IReadOnlyList<Sources.PostgresToolVersion> PostgresTools { get; init; } = [];
}
