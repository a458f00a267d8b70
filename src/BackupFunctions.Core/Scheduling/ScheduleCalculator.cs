using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BackupFunctions.Core.Configs;
using Cronos;

namespace BackupFunctions.Core.Scheduling;

/// <summary>
/// Pure schedule arithmetic (Cronos underneath): which slot is due, and when the next one is. Daily slots are local
/// times in the schedule's time zone; across daylight-saving changes Cronos runs a skipped local time (spring forward)
/// once right after the gap and a repeated local time (fall back) once, at its first instance.
/// </summary>
public static class ScheduleCalculator
{
    public const string Manual = "manual";
    public const string Daily = "daily";

    /// <summary>
    /// The latest slot at or before <paramref name="now"/> and after <paramref name="notBefore"/> (usually the config's
    /// creation), or null when none. Slots missed while the app was down collapse into this one slot, so they run
    /// once, not once per missed slot. Manual schedules have no slots.
    /// </summary>
    /// <exception cref="ArgumentException">The schedule is invalid (see <see cref="Validate"/>).</exception>
    public static DateTimeOffset? LatestDueSlot(BackupSchedule schedule, DateTimeOffset now, DateTimeOffset notBefore)
    {
        if (Parse(schedule) is not var (cron, zone))
            return null;
        if (notBefore >= now)
            return null;
        // Forward enumeration, not GetPreviousOccurrence: Cronos' backward search puts a skipped local time before the
        // gap (01:59:59) while the forward one puts it after (03:00), and slots must agree with NextSlot because they
        // become job ids. Daily slots are at most 25 hours apart, so the last two days always hold the latest one.
        var from = notBefore > now.AddDays(-2) ? notBefore : now.AddDays(-2);
        return cron.GetOccurrences(from, now, zone, fromInclusive: false, toInclusive: true)
            .Select(slot => (DateTimeOffset?)slot)
            .LastOrDefault();
    }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null for manual schedules.</summary>
    /// <exception cref="ArgumentException">The schedule is invalid (see <see cref="Validate"/>).</exception>
    public static DateTimeOffset? NextSlot(BackupSchedule schedule, DateTimeOffset after)
        => Parse(schedule) is var (cron, zone) ? cron.GetNextOccurrence(after, zone, inclusive: false) : null;

    /// <summary>
    /// Checks a schedule as the HTTP API receives it: field path (<c>schedule.frequency</c>, <c>schedule.time</c>,
    /// <c>schedule.timeZone</c>) → what is wrong. Empty when the schedule is valid.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Validate(BackupSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var errors = new Dictionary<string, string>();
        if (schedule.Frequency is not (Manual or Daily))
            errors["schedule.frequency"] = $"Must be '{Manual}' or '{Daily}'.";
        if (schedule.Frequency == Daily && !TryParseTime(schedule.Time, out _, out _))
            errors["schedule.time"] = "A daily schedule needs a time of day as HH:MM (24 h, 00:00 to 23:59).";
        // A manual schedule ignores the zone, but a wrong one is still a mistake worth reporting.
        if (!TryFindZone(schedule.TimeZone, out _))
            errors["schedule.timeZone"] = $"Unknown time zone '{schedule.TimeZone}'; use an IANA id such as 'Europe/Berlin' or 'UTC'.";
        return errors;
    }

    /// <summary>The cron expression and zone of a daily schedule; null for a manual one.</summary>
    private static (CronExpression Cron, TimeZoneInfo Zone)? Parse(BackupSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        // Manual schedules never fire, whatever else they say.
        if (schedule.Frequency == Manual)
            return null;
        var errors = Validate(schedule);
        if (errors.Count > 0)
        {
            var (field, message) = errors.First();
            throw new ArgumentException($"{field}: {message}", nameof(schedule));
        }

        if (!TryParseTime(schedule.Time, out var hour, out var minute) || !TryFindZone(schedule.TimeZone, out var zone))
            throw new UnreachableException("Validate accepted the schedule, so it parses.");
        var cron = CronExpression.Parse(string.Create(CultureInfo.InvariantCulture, $"{minute} {hour} * * *"));
        return (cron, zone);
    }

    private static bool TryParseTime(string? text, out int hour, out int minute)
    {
        hour = minute = 0;
        return text is { Length: 5 }
            && text[2] == ':'
            && int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out hour)
            && int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out minute)
            && hour <= 23
            && minute <= 59;
    }

    private static bool TryFindZone(string? id, [NotNullWhen(true)] out TimeZoneInfo? zone)
    {
        zone = null;
        if (string.IsNullOrWhiteSpace(id))
            return false;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(id);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return false;
        }
    }
}
