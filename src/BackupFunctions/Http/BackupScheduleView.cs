using BackupFunctions.Core.Configs;

namespace BackupFunctions.Http;

/// <summary>
/// A config's schedule as the API shows it: <see cref="BackupSchedule"/> with the config's <c>maxConcurrent</c> (the
/// seed's place for it). Fields the frequency does not use are null; <c>dayOfWeek</c> is a lowercase name.
/// </summary>
public sealed record BackupScheduleView(
    string Frequency,
    string? Time,
    int? Minute,
    string? DayOfWeek,
    int? DayOfMonth,
    string TimeZone,
    int MaxConcurrent)
{
    public static BackupScheduleView From(BackupSchedule schedule, int maxConcurrent)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return new BackupScheduleView(schedule.Frequency, schedule.Time, schedule.Minute, schedule.DayOfWeek, schedule.DayOfMonth, schedule.TimeZone, maxConcurrent);
    }
}
