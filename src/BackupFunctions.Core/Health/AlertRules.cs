using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Health;

/// <summary>
/// When an alert is due and how severe it is: pure functions of what the catalog and the destinations say, so the
/// tables below are the whole truth (and docs/api.md's alert table repeats them).
/// </summary>
/// <remarks>
/// <list type="table">
/// <item><term>backup_failed</term><description>1–2 consecutive failed runs: high; 3 or more: critical.</description></item>
/// <item><term>storage_full</term><description>at or over 90 % of the destination's size limit: high; at or over 97 %: critical.</description></item>
/// <item><term>backup_overdue</term><description>no success for 1.5 × the schedule interval + grace: medium; for 3 × the interval + grace: high.</description></item>
/// </list>
/// </remarks>
public static class AlertRules
{
    /// <summary>From this many consecutive failures on, backup_failed is critical.</summary>
    public const int CriticalFailures = 3;

    public const double StorageFullPercent = 90;
    public const double StorageCriticalPercent = 97;

    /// <summary>backup_overdue is raised after this many schedule intervals (plus the grace period)...</summary>
    public const double OverdueIntervals = 1.5;

    /// <summary>...and becomes high after this many: two runs in a row are missing.</summary>
    public const double LongOverdueIntervals = 3;

    /// <summary>The failed runs since the last successful one, newest first; runs that neither failed nor succeeded
    /// (pending, running, cancelled, skipped) do not count and do not break the streak.</summary>
    public static int ConsecutiveFailures(IEnumerable<JobStatus> newestFirst)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        var failures = 0;
        foreach (var status in newestFirst)
        {
            if (IsSuccess(status))
                break;
            if (status == JobStatus.Failed)
                failures++;
        }
        return failures;
    }

    /// <summary>A run that produced a backup (with or without warnings).</summary>
    public static bool IsSuccess(JobStatus status) => status is JobStatus.Completed or JobStatus.CompletedWithWarnings;

    /// <summary>The severity of backup_failed after <paramref name="consecutiveFailures"/> failed runs; null for none.</summary>
    public static string? BackupFailedSeverity(int consecutiveFailures) => consecutiveFailures switch
    {
        <= 0 => null,
        < CriticalFailures => AlertSeverities.High,
        _ => AlertSeverities.Critical,
    };

    /// <summary>The severity of storage_full at <paramref name="percentage"/> % used; null below the threshold or when unknown.</summary>
    public static string? StorageFullSeverity(double? percentage) => percentage switch
    {
        null => null,
        >= StorageCriticalPercent => AlertSeverities.Critical,
        >= StorageFullPercent => AlertSeverities.High,
        _ => null,
    };

    /// <summary>
    /// The time between two runs of a schedule frequency: hourly 1 h, daily 24 h, weekly 7 d, monthly 31 d (the
    /// longest month, so a short month never looks overdue). Null for manual and for words this version does not know.
    /// </summary>
    public static TimeSpan? ScheduleInterval(string frequency) => frequency switch
    {
        "hourly" => TimeSpan.FromHours(1),
        "daily" => TimeSpan.FromDays(1),
        "weekly" => TimeSpan.FromDays(7),
        "monthly" => TimeSpan.FromDays(31),
        _ => null,
    };

    /// <summary>
    /// Whether a config is overdue: no successful backup since <paramref name="since"/> (the last success, or the
    /// config's creation when it never had one) for longer than 1.5 × its schedule interval + <paramref name="grace"/>.
    /// </summary>
    /// <returns>The severity (medium, or high after 3 intervals + grace), or null when it is not overdue or never runs by itself.</returns>
    public static string? OverdueSeverity(BackupSchedule schedule, DateTimeOffset since, DateTimeOffset now, TimeSpan grace)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (ScheduleInterval(schedule.Frequency) is not { } interval)
            return null;
        var waited = now - since;
        return waited > (interval * LongOverdueIntervals) + grace ? AlertSeverities.High
            : waited > (interval * OverdueIntervals) + grace ? AlertSeverities.Medium
            : null;
    }
}
