using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// Which backups a restore may start from, and which one a point in time means. Pure: the caller reads the config's
/// backup rows, this decides, so the choice is the same in the API, a drill and a test.
/// </summary>
public static class RestorePoint
{
    /// <summary>
    /// Why <paramref name="backup"/> is no restore point, in words for a <c>409</c>; null when it is one. Only backups
    /// whose every copy was made and verified (<c>completed</c>) or whose primary is good (<c>completed_with_warnings</c>)
    /// restore: one being deleted may be partly gone, and one that failed verification is suspect.
    /// </summary>
    public static string? WhyNot(BackupRecord backup)
    {
        ArgumentNullException.ThrowIfNull(backup);
        return backup.Status switch
        {
            BackupStatuses.Completed or BackupStatuses.CompletedWithWarnings => null,
            BackupStatuses.Deleting => $"Backup '{backup.Id}' is being deleted by retention: its objects may be partly gone.",
            BackupStatuses.VerificationFailed => $"Backup '{backup.Id}' failed verification: it is suspect and is not restored. Choose another backup.",
            _ => $"Backup '{backup.Id}' has status '{backup.Status}', which is not a restore point.",
        };
    }

    /// <summary>The restore points among <paramref name="backups"/>, newest first (by when they were started).</summary>
    public static IReadOnlyList<BackupRecord> List(IEnumerable<BackupRecord> backups)
    {
        ArgumentNullException.ThrowIfNull(backups);
        return [.. backups.Where(b => WhyNot(b) is null)
            .OrderByDescending(b => b.CreatedAt)
            .ThenByDescending(b => b.CompletedAt)
            .ThenByDescending(b => b.Id, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The newest restore point made at or before <paramref name="pointInTime"/>; null when there is none. "Made at" is
    /// when the backup started: its database dump is a snapshot of that moment, so a backup started just before the
    /// instant and finished after it still shows the data as it was before.
    /// </summary>
    public static BackupRecord? At(IEnumerable<BackupRecord> backups, DateTimeOffset pointInTime)
        => List(backups).FirstOrDefault(b => b.CreatedAt <= pointInTime);
}
