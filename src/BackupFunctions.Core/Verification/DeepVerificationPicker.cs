using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Verification;

/// <summary>
/// Which copies a scheduled deep verification takes: the least recently deep-verified first, never-verified before
/// all others, older backups before newer ones on a tie. A pure function of the catalog rows and the time.
/// </summary>
/// <remarks>
/// Not taken: backups whose status is <see cref="BackupStatuses.VerificationFailed"/> (they are flagged and alerted
/// already; the nightly budget goes to finding damage nobody knows about, and an operator re-verifies a repaired one
/// on demand); backups retention is removing (<see cref="BackupStatuses.Deleting"/>); copies that were never made (status <c>failed</c>) or whose destination the row does not record; and
/// copies deep-verified within <see cref="RecentlyVerified"/>, so that a run right after an on-demand verification, or
/// a timer that fires twice, does not repeat work just done.
/// </remarks>
public static class DeepVerificationPicker
{
    public static readonly TimeSpan RecentlyVerified = TimeSpan.FromHours(12);

    public static IReadOnlyList<VerificationTarget> Pick(IEnumerable<BackupRecord> backups, DateTimeOffset now, int count)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return backups
            .Where(b => b.Status is not (BackupStatuses.VerificationFailed or BackupStatuses.Deleting))
            .SelectMany(b => b.Locations
                .Where(BackupVerifications.CanVerify)
                .Where(l => l.LastDeepVerifiedAt is not { } at || now - at >= RecentlyVerified)
                .Select(l => (Backup: b, Location: l)))
            .OrderBy(c => c.Location.LastDeepVerifiedAt ?? DateTimeOffset.MinValue)
            .ThenBy(c => c.Backup.CreatedAt)
            .ThenBy(c => c.Backup.Id, StringComparer.Ordinal)
            .ThenBy(c => c.Location.Index)
            .Take(count)
            .Select(c => new VerificationTarget(c.Backup.Id, c.Location.Index))
            .ToList();
    }
}
