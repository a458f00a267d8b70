using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>The health of a config or of the whole service, from its unresolved (open or acknowledged) alerts.</summary>
public static class HealthStatuses
{
    /// <summary>No unresolved alert above low.</summary>
    public const string Healthy = "healthy";

    /// <summary>An unresolved medium or high alert.</summary>
    public const string Warning = "warning";

    /// <summary>An unresolved critical alert.</summary>
    public const string Critical = "critical";

    public static string Of(IEnumerable<BackupAlert> alerts)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        var worst = alerts.Where(a => AlertStatuses.IsUnresolved(a.Status)).Select(a => AlertSeverities.Rank(a.Severity)).DefaultIfEmpty(-1).Max();
        return worst >= AlertSeverities.Rank(AlertSeverities.Critical) ? Critical
            : worst >= AlertSeverities.Rank(AlertSeverities.Medium) ? Warning
            : Healthy;
    }
}
