using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Tests.Catalog;

namespace BackupFunctions.Core.Tests.Restores.Drills;

/// <summary><c>restoreDrill</c> as <see cref="BackupConfigValidator"/> judges it when a config is posted: each error names its field.</summary>
public sealed class RestoreDrillRulesTests
{
    private static readonly BackupSchedule Weekly = new() { Frequency = "weekly", DayOfWeek = "sunday", Time = "04:00", TimeZone = "Europe/Berlin" };

    private static RestoreDrillCheck Check(string name, string sql = "SELECT count(*) FROM posts") => new() { Name = name, Sql = sql };

    public static TheoryData<string, RestoreDrillConfig> Invalid => new()
    {
        { "restoreDrill.schedule.dayOfWeek", new RestoreDrillConfig { Schedule = Weekly with { DayOfWeek = "sundae" } } },
        { "restoreDrill.schedule.time", new RestoreDrillConfig { Schedule = Weekly with { Time = "25:00" } } },
        { "restoreDrill.schedule.frequency", new RestoreDrillConfig { Schedule = Weekly with { Frequency = "yearly" } } },
        { "restoreDrill.schedule.timeZone", new RestoreDrillConfig { Schedule = Weekly with { TimeZone = "Mars/Olympus" } } },
        { "restoreDrill.schedule", new RestoreDrillConfig { Schedule = null! } },
        { "restoreDrill.checks", new RestoreDrillConfig { Schedule = Weekly, Checks = [.. Enumerable.Range(0, RestoreDrillRules.MaxChecks + 1).Select(i => Check($"c{i}"))] } },
        { "restoreDrill.checks[0].name", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("")] } },
        { "restoreDrill.checks[0].name", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("posts; DROP TABLE x")] } },
        { "restoreDrill.checks[0].name", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("../../etc")] } },
        { "restoreDrill.checks[0].name", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check(new string('a', RestoreDrillRules.MaxNameLength + 1))] } },
        { "restoreDrill.checks[1].name", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("posts"), Check("posts")] } },
        { "restoreDrill.checks[0].sql", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("posts", "  ")] } },
        { "restoreDrill.checks[0].sql", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("posts", "SELECT '" + new string('x', RestoreDrillRules.MaxSqlLength) + "'")] } },
        { "restoreDrill.checks[0].sql", new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("posts", "SELECT 1\0")] } },
        { "restoreDrill.checks[0]", new RestoreDrillConfig { Schedule = Weekly, Checks = [null!] } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void An_invalid_restoreDrill_is_refused_naming_the_field(string field, RestoreDrillConfig drill)
    {
        var errors = BackupConfigValidator.Validate(BackupCatalogConfigTests.SampleConfig("site") with { RestoreDrill = drill });

        Assert.True(errors.ContainsKey(field), $"expected an error for {field}; got {string.Join(", ", errors.Keys)}");
        Assert.All(errors.Keys, key => Assert.StartsWith("restoreDrill", key, StringComparison.Ordinal));
    }

    [Fact]
    public void Checks_on_a_config_without_a_database_are_refused()
    {
        var config = BackupCatalogConfigTests.SampleConfig("site") with
        {
            Database = null,
            Files = new FilesSource { Root = "/var/www/site" },
            RestoreDrill = new RestoreDrillConfig { Schedule = Weekly, Checks = [Check("posts")] },
        };

        Assert.Contains("restoreDrill.checks", BackupConfigValidator.Validate(config).Keys);
    }

    [Fact]
    public void A_valid_restoreDrill_and_none_at_all_pass()
    {
        var drill = new RestoreDrillConfig
        {
            Schedule = Weekly,
            Checks = [Check("published-posts", "SELECT count(*) FROM posts WHERE published_at IS NOT NULL;"), Check("authors.v2", "SELECT name FROM authors -- all")],
        };

        Assert.Empty(BackupConfigValidator.Validate(BackupCatalogConfigTests.SampleConfig("site") with { RestoreDrill = drill }));
        Assert.Empty(BackupConfigValidator.Validate(BackupCatalogConfigTests.SampleConfig("site") with { RestoreDrill = new RestoreDrillConfig { Schedule = new BackupSchedule { Frequency = "manual" } } }));
        Assert.Empty(BackupConfigValidator.Validate(BackupCatalogConfigTests.SampleConfig("site")));
    }
}
