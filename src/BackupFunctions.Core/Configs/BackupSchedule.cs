using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// When a config runs by itself. Which fields apply depends on <see cref="Frequency"/>; the others stay unset (see
/// <see cref="Scheduling.ScheduleCalculator.Validate"/>) and are left out of the JSON, in the catalog and the API alike.
/// </summary>
public sealed record BackupSchedule
{
    /// <summary><c>manual</c>, <c>hourly</c>, <c>daily</c>, <c>weekly</c> or <c>monthly</c>.</summary>
    public required string Frequency { get; init; }

    /// <summary>Local time of day, <c>HH:MM</c> (24 h), for <c>daily</c>, <c>weekly</c> and <c>monthly</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Time { get; init; }

    /// <summary>Minutes past each hour, 0–59, for <c>hourly</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Minute { get; init; }

    /// <summary><c>monday</c> … <c>sunday</c>, for <c>weekly</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DayOfWeek { get; init; }

    /// <summary>
    /// Day of the month, 1–31, for <c>monthly</c>. 29, 30 and 31 mean the last day in months that are shorter
    /// (31 runs on 30 April and 28/29 February; 29 runs on 28 February in common years).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? DayOfMonth { get; init; }

    /// <summary>IANA time zone id, e.g. <c>Europe/Berlin</c>.</summary>
    public string TimeZone { get; init; } = "UTC";
}
