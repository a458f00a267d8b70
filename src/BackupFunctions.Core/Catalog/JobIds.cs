using System.Globalization;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// Job ids sort newest first (they start with inverted ticks), so the catalog lists jobs and backups newest first
/// with a plain row-key scan while a point read by id stays one read. The same id is the orchestration instance id.
/// </summary>
public static class JobIds
{
    /// <summary>A scheduled run: the same config and slot always give the same id, so a second firing cannot start a second run.</summary>
    public static string ForSchedule(string configId, DateTimeOffset slot) => $"{Inverted(slot)}-{configId}";

    /// <summary>A run started by hand: time-ordered, with a random suffix.</summary>
    public static string ForManual(string configId, DateTimeOffset now, string randomSuffix) => $"{Inverted(now)}-{configId}-{randomSuffix}";

    /// <summary>
    /// The backup a restore job takes of the live state first: derived from the restore job (its id and creation time),
    /// so a retried step finds the same job, and listed among the config's jobs where the restore began.
    /// </summary>
    public static string ForPreRestore(string configId, DateTimeOffset restoreCreatedAt, string restoreJobId)
        => $"{Inverted(restoreCreatedAt)}-{configId}-{restoreJobId}";

    private static string Inverted(DateTimeOffset at)
        => (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture);
}
