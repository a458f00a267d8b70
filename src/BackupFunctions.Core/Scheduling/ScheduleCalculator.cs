using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using BackupFunctions.Core.Configs;
using Cronos;

namespace BackupFunctions.Core.Scheduling;

/// <summary>
/// Pure schedule arithmetic (Cronos underneath): which slot is due, and when the next one is. Slots are local times in
/// the schedule's time zone. Across daylight-saving changes a local time that does not exist (spring forward) runs once,
/// right after the gap, and a local time that happens twice (fall back) runs once, at its first instance. Hourly
/// schedules run once in every real hour: in the hour the clocks skip there is no run at the skipped local time (the
/// next real hour has its own), and both instances of a repeated hour run, because they are two real hours.
/// </summary>
public static class ScheduleCalculator
{
    public const string Manual = "manual";
    public const string Hourly = "hourly";
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";

    /// <summary>The frequencies a schedule may have.</summary>
    public static readonly IReadOnlyList<string> Frequencies = [Manual, Hourly, Daily, Weekly, Monthly];

    /// <summary>The values of <see cref="BackupSchedule.DayOfWeek"/>, Monday first.</summary>
    public static IReadOnlyList<string> DaysOfWeek => Days;

    private static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// <summary>Cron's names of <see cref="Days"/>, in the same order.</summary>
    private static readonly string[] CronDays = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

    /// <summary>
    /// The latest slot at or before <paramref name="now"/> and after <paramref name="notBefore"/> (usually the config's
    /// creation), or null when none. Slots missed while the app was down collapse into this one slot, so they run
    /// once, not once per missed slot. Manual schedules have no slots. It is always a slot that
    /// <see cref="NextSlot"/> gives too, so the two agree on job ids.
    /// </summary>
    /// <exception cref="ArgumentException">The schedule is invalid (see <see cref="Validate"/>).</exception>
    public static DateTimeOffset? LatestDueSlot(BackupSchedule schedule, DateTimeOffset now, DateTimeOffset notBefore)
    {
        if (Parse(schedule) is not { } rule)
            return null;
        if (notBefore >= now)
            return null;
        // Forward enumeration, not GetPreviousOccurrence: Cronos' backward search puts a skipped local time before the
        // gap (01:59:59) while the forward one puts it after (03:00), and slots must agree with NextSlot because they
        // become job ids. The look-back is longer than the longest gap between two slots, so it holds the latest one.
        var from = notBefore > now - rule.LookBack ? notBefore : now - rule.LookBack;
        return rule.Between(from, now).Select(slot => (DateTimeOffset?)slot).LastOrDefault();
    }

    /// <summary>The first slot strictly after <paramref name="after"/>, or null for manual schedules.</summary>
    /// <exception cref="ArgumentException">The schedule is invalid (see <see cref="Validate"/>).</exception>
    public static DateTimeOffset? NextSlot(BackupSchedule schedule, DateTimeOffset after)
        => Parse(schedule)?.Next(after);

    /// <summary>
    /// Checks a schedule as the HTTP API receives it: field path (<c>schedule.frequency</c>, <c>schedule.time</c>,
    /// <c>schedule.minute</c>, <c>schedule.dayOfWeek</c>, <c>schedule.dayOfMonth</c>, <c>schedule.timeZone</c>) → what
    /// is wrong. Empty when the schedule is valid. A field that the frequency does not use is an error too (a weekly
    /// intent written as <c>daily</c> with a <c>dayOfWeek</c> would otherwise run every day), except for manual
    /// schedules, which may keep the fields of the schedule they were switched off from.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Validate(BackupSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var errors = new Dictionary<string, string>();
        var frequency = schedule.Frequency;
        if (!Frequencies.Contains(frequency, StringComparer.Ordinal))
            errors["schedule.frequency"] = $"Must be one of {string.Join(", ", Frequencies.Select(f => $"'{f}'"))}.";
        else if (frequency != Manual)
        {
            var uses = (Time: frequency != Hourly, Minute: frequency == Hourly, DayOfWeek: frequency == Weekly, DayOfMonth: frequency == Monthly);
            if (uses.Time && !TryParseTime(schedule.Time, out _, out _))
                errors["schedule.time"] = $"A {frequency} schedule needs a time of day as HH:MM (24 h, 00:00 to 23:59).";
            else if (!uses.Time && schedule.Time is not null)
                errors["schedule.time"] = "An hourly schedule runs at schedule.minute past every hour; leave schedule.time out.";

            if (uses.Minute && schedule.Minute is not (>= 0 and <= 59))
                errors["schedule.minute"] = "An hourly schedule needs the minute past each hour it runs at, 0 to 59.";
            else if (!uses.Minute && schedule.Minute is not null)
                errors["schedule.minute"] = $"Only hourly schedules take a minute; a {frequency} schedule runs at schedule.time.";

            if (uses.DayOfWeek && Array.IndexOf(Days, schedule.DayOfWeek) < 0)
                errors["schedule.dayOfWeek"] = $"A weekly schedule needs a day of the week: {string.Join(", ", DaysOfWeek)}.";
            else if (!uses.DayOfWeek && schedule.DayOfWeek is not null)
                errors["schedule.dayOfWeek"] = $"Only weekly schedules take a day of the week; this one is {frequency}.";

            if (uses.DayOfMonth && schedule.DayOfMonth is not (>= 1 and <= 31))
                errors["schedule.dayOfMonth"] = "A monthly schedule needs a day of the month, 1 to 31 (29, 30 and 31 mean the last day in shorter months).";
            else if (!uses.DayOfMonth && schedule.DayOfMonth is not null)
                errors["schedule.dayOfMonth"] = $"Only monthly schedules take a day of the month; this one is {frequency}.";
        }

        // A manual schedule ignores the zone, but a wrong one is still a mistake worth reporting.
        if (!TryFindZone(schedule.TimeZone, out _))
            errors["schedule.timeZone"] = $"Unknown time zone '{schedule.TimeZone}'; use an IANA id such as 'Europe/Berlin' or 'UTC'.";
        return errors;
    }

    /// <summary>The slot rule of a schedule; null for a manual one.</summary>
    private static SlotRule? Parse(BackupSchedule schedule)
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
        if (!TryFindZone(schedule.TimeZone, out var zone))
            throw new UnreachableException("Validate accepted the schedule, so its zone exists.");

        if (schedule.Frequency == Hourly)
        {
            var minute = schedule.Minute!.Value;
            return new SlotRule([Cron($"{minute} * * * *")], zone, minute, TimeSpan.FromDays(1));
        }

        if (!TryParseTime(schedule.Time, out var hour, out var at))
            throw new UnreachableException("Validate accepted the schedule, so its time parses.");
        return schedule.Frequency switch
        {
            Daily => new SlotRule([Cron($"{at} {hour} * * *")], zone, null, TimeSpan.FromDays(2)),
            Weekly => new SlotRule([Cron($"{at} {hour} * * {CronDays[Array.IndexOf(Days, schedule.DayOfWeek)]}")], zone, null, TimeSpan.FromDays(8)),
            Monthly => new SlotRule(MonthlyCrons(schedule.DayOfMonth!.Value, hour, at), zone, null, TimeSpan.FromDays(32)),
            _ => throw new UnreachableException($"Validate accepted frequency '{schedule.Frequency}'."),
        };
    }

    /// <summary>
    /// Day 1–28 is that day of every month. 29 and 30 are that day, or the last day of February (28 or 29); 31 is the
    /// last day of every month. In a leap February "day 29" and "last day" are the same instant, counted once.
    /// </summary>
    private static CronExpression[] MonthlyCrons(int day, int hour, int minute) => day switch
    {
        <= 28 => [Cron($"{minute} {hour} {day} * *")],
        29 or 30 => [Cron($"{minute} {hour} {day} * *"), Cron($"{minute} {hour} L 2 *")],
        _ => [Cron($"{minute} {hour} L * *")],
    };

    private static CronExpression Cron(FormattableString expression) => CronExpression.Parse(FormattableString.Invariant(expression));

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
