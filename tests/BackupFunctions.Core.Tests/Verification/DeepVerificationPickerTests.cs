using System.Globalization;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Tests.Verification;

/// <summary>
/// Which copies a scheduled deep verification takes. A backup is written <c>id@created[!status][copies]</c>, each copy
/// <c>index:last</c> where last is when it was last deep-verified (<c>never</c>, or a UTC time), <c>failed</c> (the copy
/// was never made) or <c>nodest</c> (the row does not record its destination). Now is 2025-03-10 03:00 UTC.
/// </summary>
public sealed class DeepVerificationPickerTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 10, 3, 0, 0, TimeSpan.Zero);

    [Theory]
    // Never-verified copies first, then the least recently verified.
    [InlineData("a@2025-01-01[0:2025-03-09T03:00 1:never]; b@2025-01-02[0:2025-02-01T03:00]", 3, "a#1 b#0 a#0")]
    // Only as many as asked for.
    [InlineData("a@2025-01-01[0:2025-03-01T03:00 1:never]; b@2025-01-02[0:2025-02-01T03:00]", 2, "a#1 b#0")]
    // A tie goes to the older backup, then to the lower copy index.
    [InlineData("new@2025-03-01[0:never 1:never]; old@2024-12-01[1:never 0:never]", 3, "old#0 old#1 new#0")]
    // Backups that failed verification are flagged already: not taken.
    [InlineData("bad@2024-01-01!verification_failed[0:never]; good@2025-01-01[0:2025-03-01T00:00]", 3, "good#0")]
    // Backups with warnings are taken; their copies that were never made are not, nor those the row cannot locate.
    [InlineData("w@2025-01-01!completed_with_warnings[0:2025-03-01T00:00 1:failed 2:nodest]", 3, "w#0")]
    // Copies deep-verified less than 12 hours ago are left alone (an on-demand run, a timer that fired twice).
    [InlineData("a@2025-01-01[0:2025-03-10T02:00 1:2025-03-09T15:00 2:2025-03-09T14:59 3:2025-03-09T15:01]", 3, "a#2 a#1")]
    // Nothing to do.
    [InlineData("", 3, "")]
    [InlineData("a@2025-01-01[0:never]", 0, "")]
    public void Picks_the_least_recently_deep_verified_copies(string backups, int perRun, string expected)
    {
        var picked = DeepVerificationPicker.Pick(Parse(backups), Now, perRun);

        Assert.Equal(expected, string.Join(" ", picked.Select(t => $"{t.BackupId}#{t.Index}")));
    }

    private static List<BackupRecord> Parse(string table)
    {
        var backups = new List<BackupRecord>();
        foreach (var spec in table.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var head = spec[..spec.IndexOf('[', StringComparison.Ordinal)];
            var copies = spec[(head.Length + 1)..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var id = head[..head.IndexOf('@', StringComparison.Ordinal)];
            var rest = head[(id.Length + 1)..].Split('!');
            var created = DateTimeOffset.Parse(rest[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            backups.Add(new BackupRecord
            {
                Id = id,
                ConfigId = "c",
                JobId = id,
                Status = rest.Length > 1 ? rest[1] : BackupStatuses.Completed,
                CreatedAt = created,
                CompletedAt = created,
                SizeBytes = 0,
                Checksum = "",
                CompressionRatio = 1,
                Compression = "zstd",
                Encryption = "aes-256-gcm",
                Statistics = new BackupStatistics(),
                Locations = [.. copies.Select(Copy)],
            });
        }
        return backups;
    }

    private static BackupLocation Copy(string spec)
    {
        var index = int.Parse(spec[..spec.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
        var last = spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return new BackupLocation("local", "file:///x", $"backups/b/{index}/manifest.json", Primary: index == 0)
        {
            Index = index,
            Destination = last == "nodest" ? null : new StorageDestination { StorageId = "stg-1" },
            Status = last == "failed" ? "failed" : "ok",
            LastDeepVerifiedAt = last is "never" or "failed" or "nodest"
                ? null
                : DateTimeOffset.Parse(last, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        };
    }
}
