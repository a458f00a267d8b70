using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Restores;

namespace BackupFunctions.Core.Tests.Restores;

/// <summary>Which backup a point in time means, and which backups are restore points at all (table-driven).</summary>
public sealed class RestorePointTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    // id, started (hours after Day), finished (hours after Day), status
    private static readonly (string Id, double Started, double Finished, string Status)[] History =
    [
        ("b1", 1, 1.5, BackupStatuses.Completed),
        ("b2", 5, 5.5, BackupStatuses.CompletedWithWarnings),
        ("b3", 9, 9.5, BackupStatuses.VerificationFailed),
        ("b4", 10, 12, BackupStatuses.Completed),
        ("b5", 14, 14.5, BackupStatuses.Deleting),
        ("b6", 20, 20.5, BackupStatuses.Completed),
    ];

    public static TheoryData<double, string?> Instants => new()
    {
        { 0.5, null },  // before the first backup: nothing to restore
        { 1, "b1" },    // at the instant a backup started: that one
        { 4.9, "b1" },
        { 5, "b2" },    // a primary-only copy is a restore point
        { 9.7, "b2" },  // the one that failed verification is skipped
        { 11, "b4" },   // started before the instant, finished after it: its data is of its start
        { 16, "b4" },   // the one being deleted is skipped
        { 48, "b6" },   // long after: the newest
    };

    [Theory]
    [MemberData(nameof(Instants))]
    public void A_point_in_time_means_the_newest_restore_point_started_at_or_before_it(double hours, string? expected)
    {
        var chosen = RestorePoint.At(Backups(), Day.AddHours(hours));

        Assert.Equal(expected, chosen?.Id);
    }

    [Fact]
    public void Restore_points_are_listed_newest_first_without_suspect_or_vanishing_backups()
    {
        Assert.Equal(["b6", "b4", "b2", "b1"], RestorePoint.List(Backups().Reverse()).Select(b => b.Id));
    }

    [Fact]
    public void Backups_started_at_the_same_instant_are_ordered_by_finish_then_id()
    {
        BackupRecord[] same = [Backup("a", 1, 2, BackupStatuses.Completed), Backup("c", 1, 3, BackupStatuses.Completed), Backup("b", 1, 3, BackupStatuses.Completed)];

        Assert.Equal(["c", "b", "a"], RestorePoint.List(same).Select(b => b.Id));
    }

    [Theory]
    [InlineData(BackupStatuses.Completed, null)]
    [InlineData(BackupStatuses.CompletedWithWarnings, null)]
    [InlineData(BackupStatuses.VerificationFailed, "failed verification")]
    [InlineData(BackupStatuses.Deleting, "being deleted")]
    [InlineData("failed", "not a restore point")]
    public void Why_a_backup_is_not_a_restore_point_is_said_in_words(string status, string? says)
    {
        var why = RestorePoint.WhyNot(Backup("b", 1, 2, status));

        if (says is null)
            Assert.Null(why);
        else
            Assert.Contains(says, why, StringComparison.Ordinal);
    }

    private static IEnumerable<BackupRecord> Backups() => History.Select(h => Backup(h.Id, h.Started, h.Finished, h.Status));

    private static BackupRecord Backup(string id, double started, double finished, string status) => new()
    {
        Id = id,
        ConfigId = "cfg-1",
        JobId = id,
        Status = status,
        CreatedAt = Day.AddHours(started),
        CompletedAt = Day.AddHours(finished),
        SizeBytes = 1,
        Checksum = "00",
        CompressionRatio = 1,
        Compression = "zstd",
        Encryption = "aes-256-gcm",
        Statistics = new BackupStatistics(),
        Locations = [],
    };
}
