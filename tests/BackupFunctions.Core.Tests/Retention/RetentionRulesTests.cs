using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Retention;
using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Tests.Retention;

public sealed class RetentionRulesTests
{
    public static TheoryData<RetentionPolicy, string?> Policies => new()
    {
        { new RetentionPolicy { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, KeepYearly = 5, AutoCleanup = true }, null },
        { new RetentionPolicy { KeepWithin = TimeSpan.FromDays(30), AutoCleanup = true }, null },
        { new RetentionPolicy(), null },
        { new RetentionPolicy { KeepDaily = -1 }, "retention.keepDaily" },
        { new RetentionPolicy { KeepWeekly = -1 }, "retention.keepWeekly" },
        { new RetentionPolicy { KeepMonthly = -2 }, "retention.keepMonthly" },
        { new RetentionPolicy { KeepYearly = -3 }, "retention.keepYearly" },
        { new RetentionPolicy { MaxTotalBackups = 0 }, "retention.maxTotalBackups" },
        { new RetentionPolicy { KeepWithin = TimeSpan.Zero }, "retention.keepWithin" },
        { new RetentionPolicy { KeepWithin = TimeSpan.FromDays(-1) }, "retention.keepWithin" },
        { new RetentionPolicy { KeepWithin = TimeSpan.FromDays(40000) }, "retention.keepWithin" },
        { new RetentionPolicy { AutoCleanup = true }, "retention.autoCleanup" },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_config_validator_names_the_bad_retention_field(RetentionPolicy policy, string? field)
    {
        var config = new BackupConfig
        {
            Name = "site",
            Files = new FilesSource { Root = "/srv/site" },
            Schedule = new BackupSchedule { Frequency = "manual" },
            Storage = new StorageDestination { Type = "local", Path = "site" },
            Retention = policy,
        };
        var errors = BackupConfigValidator.Validate(config);
        if (field is null)
            Assert.Empty(errors);
        else
            Assert.Equal(new[] { field }, errors.Keys);
    }

    [Theory]
    [InlineData(30, 30, null)]
    [InlineData(10, 30, "only")]
    [InlineData(90, 30, "longer than keepWithin")]
    [InlineData(30, null, "no keepWithin")]
    public void Immutability_that_does_not_match_keep_within_is_pointed_out(int lockDays, int? keepWithinDays, string? expected)
    {
        var policy = new RetentionPolicy { KeepDaily = 7, KeepWithin = keepWithinDays is { } d ? TimeSpan.FromDays(d) : null };
        var warnings = RetentionRules.ImmutabilityWarnings(policy,
        [
            ("locked", new ImmutabilityOptions { Enabled = true, Days = lockDays }),
            ("unlocked", new ImmutabilityOptions { Enabled = false, Days = 1 }),
        ]);
        if (expected is null)
        {
            Assert.Empty(warnings);
            return;
        }
        var warning = Assert.Single(warnings);
        Assert.StartsWith("locked locks each backup for", warning, StringComparison.Ordinal);
        Assert.Contains(expected, warning, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_without_rules_never_conflicts_with_a_lock()
        => Assert.Empty(RetentionRules.ImmutabilityWarnings(new RetentionPolicy(), [("x", new ImmutabilityOptions { Enabled = true, Days = 5 })]));
}
