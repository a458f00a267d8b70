using BackupFunctions.Core.Backups;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Verification;

namespace BackupFunctions.Core.Tests.Verification;

/// <summary>How a verification changes a copy and its backup, and when the deep schedule fires.</summary>
public sealed class VerificationRulesTests
{
    private static readonly DateTimeOffset Monday = new(2025, 3, 10, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_deep_verification_sets_the_copys_last_verification_and_its_deep_time_passed_or_not()
    {
        var copy = Copy(new VerificationResult(QuickVerifier.Level, true, 4, 100, [], Monday.AddDays(-1), 1));

        var failed = BackupVerifications.Apply(copy, Result(DeepVerifier.Level, ok: false, Monday));
        var passed = BackupVerifications.Apply(failed, Result(DeepVerifier.Level, ok: true, Monday.AddDays(1)));

        Assert.Equal(Monday, failed.LastDeepVerifiedAt);
        Assert.False(failed.LastVerification!.Ok);
        Assert.Equal(BackupStatuses.VerificationFailed, BackupCopies.StatusOf([failed]));
        Assert.Equal(Monday.AddDays(1), passed.LastDeepVerifiedAt);
        Assert.Equal(BackupStatuses.Completed, BackupCopies.StatusOf([passed]));
    }

    [Fact]
    public void A_passing_quick_verification_does_not_clear_a_failed_deep_one_but_a_failing_quick_one_is_recorded()
    {
        var deepFailed = BackupVerifications.Apply(Copy(Result(QuickVerifier.Level, ok: true, Monday.AddDays(-1))), Result(DeepVerifier.Level, ok: false, Monday));

        var quickPassed = BackupVerifications.Apply(deepFailed, Result(QuickVerifier.Level, ok: true, Monday.AddHours(1)));
        var quickFailed = BackupVerifications.Apply(deepFailed, Result(QuickVerifier.Level, ok: false, Monday.AddHours(1)));

        Assert.Equal(deepFailed, quickPassed);
        Assert.Equal(QuickVerifier.Level, quickFailed.LastVerification!.Level);
        Assert.Equal(Monday, quickFailed.LastDeepVerifiedAt);
    }

    [Theory]
    [InlineData("0 0 3 * * *", "2025-03-10T03:00:00Z", true)]
    [InlineData("0 0 3 * * *", "2025-03-10T03:00:04Z", true)] // a tick a few seconds late
    [InlineData("0 0 3 * * *", "2025-03-10T02:59:00Z", false)]
    [InlineData("0 0 3 * * *", "2025-03-10T03:01:00Z", false)]
    [InlineData("30 15 4 * * 1", "2025-03-10T04:16:00Z", true)] // 04:15:30 on Mondays: the next tick
    [InlineData("30 15 4 * * 1", "2025-03-11T04:16:00Z", false)]
    [InlineData("", "2025-03-10T03:00:00Z", false)] // off: a wrap-only key identity cannot deep-verify
    [InlineData("", "2025-03-10T00:00:00Z", false)]
    public void The_deep_schedule_is_due_on_the_tick_that_follows_an_occurrence(string schedule, string tick, bool due)
    {
        var options = new VerificationOptions { DeepSchedule = schedule };

        Assert.Equal(due, options.IsDeepRunDue(DateTimeOffset.Parse(tick, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Theory]
    [InlineData("0 0 3 * * *", 3, null)]
    [InlineData("0 3 * * *", 3, "six fields")]
    [InlineData("every night", 3, "six fields")]
    [InlineData("0 0 3 * * *", 0, "DeepPerRun")]
    [InlineData("", 3, null)] // scheduled deep verification off
    [InlineData("", 0, "DeepPerRun")]
    [InlineData(" ", 3, "six fields")]
    public void Options_are_checked_at_start_up(string schedule, int perRun, string? problem)
    {
        var message = new VerificationOptions { DeepSchedule = schedule, DeepPerRun = perRun }.Validate();

        if (problem is null)
            Assert.Null(message);
        else
            Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    private static VerificationResult Result(string level, bool ok, DateTimeOffset at)
        => new(level, ok, 4, 100, ok ? [] : ["db.part: damaged"], at, 1);

    private static BackupLocation Copy(VerificationResult last)
        => new("local", "file:///x", "backups/b/manifest.json", Primary: true) { LastVerification = last };
}
