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

    /// <summary>
    /// A chain full → 5 incrementals, one a day, each incremental's index pointing into the backups that hold its
    /// unchanged files (the done-when of issue 14): keepDaily 2 keeps the two newest, and every backup one of them
    /// references, and every backup those reference in turn.
    /// </summary>
    [Fact]
    public void A_chain_of_a_full_and_five_incrementals_under_keep_daily_2_keeps_every_backup_a_kept_one_references()
    {
        var backups = new[]
        {
            new RetentionCandidate("inc5", At("2026-01-06 02:00"), true, "inc4", ReferencedBackupIds: ["full", "inc2", "inc4"]),
            new RetentionCandidate("inc4", At("2026-01-05 02:00"), true, "inc3", ReferencedBackupIds: ["full", "inc2", "inc3"]),
            new RetentionCandidate("inc3", At("2026-01-04 02:00"), true, "inc2", ReferencedBackupIds: ["full", "inc1"]),
            new RetentionCandidate("inc2", At("2026-01-03 02:00"), true, "inc1", ReferencedBackupIds: ["full"]),
            new RetentionCandidate("inc1", At("2026-01-02 02:00"), true, "full", ReferencedBackupIds: ["full"]),
            new RetentionCandidate("full", At("2026-01-01 02:00"), true),
        };

        var plan = RetentionPlanner.Plan(backups, new RetentionPolicy { KeepDaily = 2 }, At("2026-01-06 12:00"), TimeZoneInfo.Utc);

        var kept = plan.Where(d => d.Keep).Select(d => d.Id).ToHashSet();
        foreach (var backup in backups.Where(b => kept.Contains(b.Id)))
            Assert.All(backup.ReferencedBackupIds ?? [], id => Assert.Contains(id, kept));
        Assert.Equal(backups.Select(b => b.Id).ToHashSet(), kept);
        Assert.Contains("referenced by inc5", plan.Single(d => d.Id == "inc2").Reasons);
        Assert.Contains("referenced by inc4", plan.Single(d => d.Id == "inc3").Reasons);
        Assert.Contains("referenced by inc5", plan.Single(d => d.Id == "full").Reasons);
        Assert.Contains("referenced by inc3", plan.Single(d => d.Id == "inc1").Reasons);
    }

    /// <summary>
    /// One backup per case line: <c>id day [base=id] [refs=id,id] [held] [locked]</c>, then the ids the plan keeps.
    /// Days are in January 2026, newest first; the rule is keepDaily 1 with a cap of 1, so only the newest is kept by a
    /// rule and everything else stays only for what keeps it.
    /// </summary>
    public static TheoryData<string[], string[]> ReferenceCases => new()
    {
        // References alone (no base recorded, e.g. a row whose base was lost): the referenced backups stay.
        { ["c 3 refs=a", "b 2", "a 1"], ["c", "a"] },
        // What a kept backup references keeps what it references in turn (a referenced incremental is restorable too).
        { ["c 3 refs=b", "b 2 refs=a", "a 1", "z 0"], ["c", "b", "a"] },
        // The base chain, as before references: every base below a kept backup.
        { ["c 3 base=b", "b 2 base=a", "a 1", "z 0"], ["c", "b", "a"] },
        // A backup held (being restored) keeps what it references, though no rule keeps it.
        { ["d 4", "c 3 refs=a held", "b 2", "a 1"], ["d", "c", "a"] },
        // So does one kept only by its immutability lock.
        { ["d 4", "c 3 refs=b locked", "b 2", "a 1"], ["d", "c", "b"] },
        // A removed backup keeps nothing: what only it referenced goes with it.
        { ["d 4", "c 3 refs=b", "b 2", "a 1"], ["d"] },
        // References to backups the plan does not know (another config's, or gone) change nothing.
        { ["b 2 refs=x,y", "a 1"], ["b"] },
        // A cycle (never written, but rows are data) ends.
        { ["c 3 refs=b", "b 2 refs=c base=c", "a 1"], ["c", "b"] },
    };

    [Theory]
    [MemberData(nameof(ReferenceCases))]
    public void A_kept_backup_keeps_what_it_references(string[] lines, string[] expectedKept)
    {
        var lockedUntil = At("2026-06-01 00:00");
        var backups = lines.Select(line =>
        {
            var words = line.Split(' ');
            var options = words.Skip(2).ToList();
            string? Value(string name) => options.FirstOrDefault(o => o.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..];
            return new RetentionCandidate(words[0], At("2026-01-10 02:00").AddDays(int.Parse(words[1], CultureInfo.InvariantCulture) - 10), true,
                BaseBackupId: Value("base"),
                LockedUntil: options.Contains("locked") ? lockedUntil : null,
                ReferencedBackupIds: Value("refs")?.Split(','),
                Hold: options.Contains("held") ? "being restored (restore job r1)" : null);
        }).ToList();

        var plan = RetentionPlanner.Plan(backups, new RetentionPolicy { KeepDaily = 1, MaxTotalBackups = 1 }, At("2026-02-01 00:00"), TimeZoneInfo.Utc);

        Assert.Equal(expectedKept.Order(), plan.Where(d => d.Keep).Select(d => d.Id).Order());
        foreach (var backup in backups.Where(b => expectedKept.Contains(b.Id)))
        {
            foreach (var referenced in (backup.ReferencedBackupIds ?? []).Where(id => backups.Any(b => b.Id == id) && id != backup.Id))
                Assert.Contains($"referenced by {backup.Id}", plan.Single(d => d.Id == referenced).Reasons);
        }
        if (backups.FirstOrDefault(b => b.Hold is not null) is { } held)
            Assert.Contains("being restored (restore job r1)", plan.Single(d => d.Id == held.Id).Reasons);
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
