using System.Text.Json;
using BackupFunctions.Core.Catalog;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Retention;

namespace BackupFunctions.Core.Tests.Retention;

public sealed class RetentionDurationTests
{
    [Theory]
    [InlineData("36h", 36)]
    [InlineData("30d", 30 * 24)]
    [InlineData("1y", 365 * 24)]
    [InlineData("1m", 30 * 24)]
    [InlineData("1y6m3d", (365 + 180 + 3) * 24)]
    [InlineData("2d12h", 60)]
    [InlineData("0d", 0)]
    [InlineData("1y2m3d4h", (365 + 60 + 3) * 24 + 4)]
    public void Parses_restic_durations_into_fixed_spans(string text, long hours)
    {
        Assert.True(RetentionDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromHours(hours), value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("d")]
    [InlineData("30D")]
    [InlineData(" 30d")]
    [InlineData("30d ")]
    [InlineData("-3d")]
    [InlineData("+3d")]
    [InlineData("1.5d")]
    [InlineData("3d1y")]
    [InlineData("3d3d")]
    [InlineData("2w")]
    [InlineData("10min")]
    [InlineData("P30D")]
    [InlineData("12345678d")]
    [InlineData(null)]
    public void Refuses_anything_else(string? text) => Assert.False(RetentionDuration.TryParse(text, out _));

    [Theory]
    [InlineData(36, "1d12h")]
    [InlineData(30 * 24, "30d")]
    [InlineData(365 * 24, "1y")]
    [InlineData(730 * 24, "2y")]
    [InlineData(548 * 24, "548d")]
    [InlineData(5, "5h")]
    [InlineData(0, "0h")]
    public void Formats_canonically_and_round_trips(long hours, string expected)
    {
        var text = RetentionDuration.Format(TimeSpan.FromHours(hours));
        Assert.Equal(expected, text);
        Assert.True(RetentionDuration.TryParse(text, out var back));
        Assert.Equal(TimeSpan.FromHours(hours), back);
    }

    [Fact]
    public void A_policy_round_trips_through_the_catalogs_json_with_a_readable_keep_within()
    {
        var policy = new RetentionPolicy { KeepDaily = 7, KeepWeekly = 4, MaxTotalBackups = 40, KeepWithin = TimeSpan.FromDays(548), AutoCleanup = true };
        var json = JsonSerializer.Serialize(policy, CatalogJson.Options);
        Assert.Contains("\"keepWithin\":\"548d\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("hasRules", json, StringComparison.Ordinal);
        Assert.Equal(policy, JsonSerializer.Deserialize<RetentionPolicy>(json, CatalogJson.Options));
        Assert.Equal(TimeSpan.FromDays(548), JsonSerializer.Deserialize<RetentionPolicy>("{\"keepWithin\":\"1y6m3d\"}", CatalogJson.Options)!.KeepWithin);
        Assert.Null(JsonSerializer.Deserialize<RetentionPolicy>("{\"keepWithin\":null}", CatalogJson.Options)!.KeepWithin);
    }

    [Theory]
    [InlineData("{\"keepWithin\":\"two weeks\"}")]
    [InlineData("{\"keepWithin\":30}")]
    public void A_bad_keep_within_is_a_json_error_that_says_what_is_accepted(string json)
    {
        var e = Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize<RetentionPolicy>(json, CatalogJson.Options));
        Assert.IsType<ConfigValueException>(e);
        Assert.Contains("30d, 36h or 1y6m3d", e.Message, StringComparison.Ordinal);
        Assert.Equal("$.keepWithin", e.Path);
    }
}
