using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// <c>schedule</c> as a request may write it: <see cref="BackupSchedule"/>'s fields, <c>dayOfWeek</c> also as the
/// seed's number, <c>timezone</c>/<c>timeZone</c> (names are matched without regard to case) and the seed's
/// <c>maxConcurrent</c>.
/// </summary>
public sealed record ScheduleInput
{
    public required string Frequency { get; init; }
    public string? Time { get; init; }
    public int? Minute { get; init; }

    [JsonConverter(typeof(DayOfWeekJsonConverter))]
    public string? DayOfWeek { get; init; }

    public int? DayOfMonth { get; init; }
    public string? TimeZone { get; init; }

    /// <summary>The seed's place for <see cref="BackupConfig.MaxConcurrent"/>.</summary>
    public int? MaxConcurrent { get; init; }
}
