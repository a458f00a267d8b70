using System.Globalization;
using BackupFunctions.Core.Retention;

namespace BackupFunctions.Core.Tests.Retention;

/// <summary>The retention plan as a pure function: restic's bucket semantics, and the backups it must never remove.</summary>
public sealed class RetentionPlannerTests
{
    private static readonly DateTimeOffset Start = new(2024, 11, 27, 2, 30, 0, TimeSpan.Zero);

    /// <summary>
    /// Two years of daily backups (02:30 UTC from 2024-11-27) under keep-daily 7, weekly 4, monthly 12, yearly 5 keep
    /// exactly the snapshots restic 0.14.0 keeps for the same dates: <c>restic forget --keep-daily 7 --keep-weekly 4
    /// --keep-monthly 12 --keep-yearly 5 --dry-run --json</c> on a repository of 730 snapshots made with
    /// <c>restic backup --time</c> (TZ=UTC); its kept times are pinned in restic-0.14-forget-7-4-12-5.txt.
    /// </summary>
    [Fact]
    public void Two_years_of_daily_backups_keep_what_restic_forget_keeps()
    {
        var backups = Enumerable.Range(0, 730).Select(i => new RetentionCandidate($"b{i:D3}", Start.AddDays(i), Successful: true)).ToList();
        var policy = new RetentionPolicy { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, KeepYearly = 5 };

        var plan = RetentionPlanner.Plan(backups, policy, Start.AddDays(730), TimeZoneInfo.Utc);

        var kept = plan.Where(d => d.Keep).Select(d => backups.Single(b => b.Id == d.Id).CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)).Order().ToList();
        var restic = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Retention", "restic-0.14-forget-7-4-12-5.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#')).Order().ToList();
        Assert.Equal(restic, kept);
        Assert.Equal(730 - restic.Count, plan.Count(d => !d.Keep));
    }

    public static TheoryData<string, string[]> BucketCases => new()
    {
        // Three backups on one day, keep-daily 2 (or 5): the newest of each day, nothing else.
        { "daily=2", ["2026-01-03 10:00 keep daily", "2026-01-03 09:00 remove", "2026-01-02 10:00 keep daily"] },
        { "daily=5", ["2026-01-03 10:00 keep daily", "2026-01-03 09:00 remove", "2026-01-02 10:00 keep daily"] },
        // ISO weeks: 2026-01-04 is a Sunday (week 1), 2026-01-05 a Monday (week 2).
        { "weekly=2", ["2026-01-05 10:00 keep weekly", "2026-01-04 10:00 keep weekly", "2026-01-03 10:00 remove"] },
        { "monthly=1", ["2026-02-01 10:00 keep monthly", "2026-01-31 10:00 remove"] },
        { "yearly=2", ["2026-01-01 10:00 keep yearly", "2025-12-31 10:00 keep yearly", "2025-12-30 10:00 remove"] },
    };

    [Theory]
    [MemberData(nameof(BucketCases))]
    public void Buckets_keep_the_newest_backup_of_each_period(string rule, string[] expectations)
    {
        var policy = ParseRule(rule);
        var backups = expectations.Select((e, i) => new RetentionCandidate($"b{i}", At(e[..16]), true)).ToList();

        var plan = RetentionPlanner.Plan(backups, policy, At("2026-06-01 00:00"), TimeZoneInfo.Utc);

        foreach (var (expectation, index) in expectations.Select((e, i) => (e, i)))
        {
            var decision = plan.Single(d => d.Id == $"b{index}");
            var words = expectation[17..].Split(' ');
            Assert.Equal(words[0] == "keep", decision.Keep);
            if (words.Length > 1)
                Assert.Contains(decision.Reasons, r => r.StartsWith(words[1], StringComparison.Ordinal) || r == "newest successful backup");
        }
    }

    [Fact]
    public void Days_are_the_config_time_zone_s_days()
    {
        // 23:30 UTC on 1 Jan is already 2 Jan in Berlin: two Berlin days, so keep-daily 2 keeps both.
        var backups = new[] { new RetentionCandidate("late", At("2026-01-01 23:30"), true), new RetentionCandidate("early", At("2026-01-01 22:30"), true) };
        var policy = new RetentionPolicy { KeepDaily = 1 };

        var utc = RetentionPlanner.Plan(backups, policy, At("2026-02-01 00:00"), TimeZoneInfo.Utc);
        var berlin = RetentionPlanner.Plan(backups, policy, At("2026-02-01 00:00"), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

        Assert.False(utc.Single(d => d.Id == "early").Keep);
        Assert.Contains("daily 2026-01-02", berlin.Single(d => d.Id == "late").Reasons);
        Assert.False(berlin.Single(d => d.Id == "early").Keep);
    }

    [Fact]
    public void The_newest_successful_backup_is_never_removed_even_by_a_cap_or_when_failures_are_newer()
    {
        var backups = new[]
        {
            new RetentionCandidate("failed-new", At("2026-01-05 10:00"), Successful: false),
            new RetentionCandidate("good", At("2026-01-04 10:00"), Successful: true),
            new RetentionCandidate("older", At("2026-01-03 10:00"), Successful: true),
        };

        var plan = RetentionPlanner.Plan(backups, new RetentionPolicy { MaxTotalBackups = 0 }, At("2026-02-01 00:00"), TimeZoneInfo.Utc);

        Assert.Equal(["newest successful backup"], plan.Single(d => d.Id == "good").Reasons);
        Assert.False(plan.Single(d => d.Id == "older").Keep);
        Assert.Equal(["not a successful backup"], plan.Single(d => d.Id == "failed-new").Reasons);
    }

    [Fact]
    public void Keep_within_counts_from_the_clock_so_forged_future_backups_cannot_push_real_ones_out()
    {
        var now = At("2026-03-01 00:00");
        var backups = new[]
        {
            new RetentionCandidate("forged", At("2030-01-01 00:00"), true),
            new RetentionCandidate("recent", At("2026-02-25 00:00"), true),
            new RetentionCandidate("old", At("2026-01-01 00:00"), true),
        };

        var plan = RetentionPlanner.Plan(backups, new RetentionPolicy { KeepWithin = TimeSpan.FromDays(10) }, now, TimeZoneInfo.Utc);

        Assert.Contains("within 10d", plan.Single(d => d.Id == "recent").Reasons);
        Assert.False(plan.Single(d => d.Id == "old").Keep);
    }

    [Fact]
    public void A_cap_removes_the_oldest_kept_backups_first()
    {
        var backups = Enumerable.Range(0, 5).Select(i => new RetentionCandidate($"d{i}", At("2026-01-10 10:00").AddDays(-i), true)).ToList();

        var plan = RetentionPlanner.Plan(backups, new RetentionPolicy { KeepDaily = 5, MaxTotalBackups = 3 }, At("2026-02-01 00:00"), TimeZoneInfo.Utc);

        Assert.Equal(["d0", "d1", "d2"], plan.Where(d => d.Keep).Select(d => d.Id));
    }

    [Fact]
    public void The_base_of_a_kept_incremental_is_kept_with_its_whole_chain()
    {
        var backups = new[]
        {
            new RetentionCandidate("inc2", At("2026-01-03 10:00"), true, BaseBackupId: "inc1"),
            new RetentionCandidate("inc1", At("2026-01-02 10:00"), true, BaseBackupId: "full"),
            new RetentionCandidate("full", At("2026-01-01 10:00"), true),
        };

        var plan = RetentionPlanner.Plan(backups, new RetentionPolicy { KeepDaily = 1, MaxTotalBackups = 1 }, At("2026-02-01 00:00"), TimeZoneInfo.Utc);

        Assert.All(plan, d => Assert.True(d.Keep));
        Assert.Contains("base of kept backup inc2", plan.Single(d => d.Id == "full").Reasons);
    }

    [Fact]
    public void A_locked_backup_the_rules_would_remove_is_kept_and_reported()
    {
        var until = At("2026-06-01 00:00");
        var backups = new[]
        {
            new RetentionCandidate("new", At("2026-01-02 10:00"), true),
            new RetentionCandidate("locked", At("2026-01-01 10:00"), true, LockedUntil: until),
        };

        var plan = RetentionPlanner.Plan(backups, new RetentionPolicy { KeepDaily = 1 }, At("2026-02-01 00:00"), TimeZoneInfo.Utc);

        var locked = plan.Single(d => d.Id == "locked");
        Assert.True(locked.Keep);
        Assert.Equal(until, locked.Locked);
    }

    [Fact]
    public void Without_rules_everything_is_kept()
    {
        var backups = new[] { new RetentionCandidate("a", At("2026-01-01 10:00"), true), new RetentionCandidate("b", At("2025-01-01 10:00"), false) };

        Assert.All(RetentionPlanner.Plan(backups, new RetentionPolicy(), At("2026-02-01 00:00"), TimeZoneInfo.Utc), d => Assert.True(d.Keep));
    }

    /// <summary>
    /// A pre-restore backup (trigger <c>pre-restore</c>) is what undoes a wrong restore: no rule and no cap removes a
    /// successful one younger than 7 days; an older one, a failed one, or another trigger follow the rules as usual.
    /// </summary>
    [Theory]
    [InlineData("pre-restore", true, 0, true)]
    [InlineData("pre-restore", true, 6, true)]
    [InlineData("pre-restore", true, 7, false)]
    [InlineData("pre-restore", true, 30, false)]
    [InlineData("pre-restore", false, 1, false)]
    [InlineData("manual", true, 1, false)]
    [InlineData("schedule", true, 1, false)]
    [InlineData(null, true, 1, false)]
    public void A_recent_pre_restore_backup_is_kept_whatever_the_rules_say(string? trigger, bool successful, int ageDays, bool kept)
    {
        var now = At("2026-03-10 12:00");
        var backups = new[]
        {
            new RetentionCandidate("newest", now - TimeSpan.FromSeconds(10), true),
            new RetentionCandidate("candidate", now - TimeSpan.FromDays(ageDays) - TimeSpan.FromMinutes(1), successful, Trigger: trigger),
        };

        // One rule that keeps only the newest, and a cap of one: both would remove the candidate.
        foreach (var policy in new[] { new RetentionPolicy { KeepDaily = 1 }, new RetentionPolicy { KeepWeekly = 1 }, new RetentionPolicy { MaxTotalBackups = 1, KeepDaily = 30 } })
        {
            var decision = RetentionPlanner.Plan(backups, policy, now, TimeZoneInfo.Utc).Single(d => d.Id == "candidate");
            Assert.True(kept == decision.Keep, $"{trigger}/{successful}/{ageDays}d: {string.Join(", ", decision.Reasons)}");
            if (kept)
                Assert.Contains("pre-restore backup (kept 7 days)", decision.Reasons);
            Assert.True(RetentionPlanner.Plan(backups, policy, now, TimeZoneInfo.Utc).Single(d => d.Id == "newest").Keep);
        }
    }

    private static RetentionPolicy ParseRule(string rule)
    {
        var (name, count) = (rule.Split('=')[0], int.Parse(rule.Split('=')[1], CultureInfo.InvariantCulture));
        return name switch
        {
            "daily" => new RetentionPolicy { KeepDaily = count },
            "weekly" => new RetentionPolicy { KeepWeekly = count },
            "monthly" => new RetentionPolicy { KeepMonthly = count },
            _ => new RetentionPolicy { KeepYearly = count },
        };
    }

    private static DateTimeOffset At(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
