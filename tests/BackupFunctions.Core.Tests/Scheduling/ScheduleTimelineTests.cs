using System.Globalization;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Scheduling;
using Microsoft.Extensions.Time.Testing;

namespace BackupFunctions.Core.Tests.Scheduling;

/// <summary>
/// Schedules seen the way the timer sees them: a fake clock ticks through a window (a daylight-saving night, a few
/// months) and asks for the latest due slot at every tick. Each case lists every slot (UTC) that must come due in the
/// window, in order: none missing, none twice, none extra.
/// </summary>
public sealed class ScheduleTimelineTests
{
    /// <summary>Schedule (<see cref="Schedule"/> spells it), window start (the config's creation), window end, the slots.</summary>
    public static TheoryData<string, string, string, string[]> Timelines => new()
    {
        // --- Europe/Berlin: clocks go 02:00 CET → 03:00 CEST on 29 Mar 2026 and 03:00 CEST → 02:00 CET on 25 Oct 2026.
        // 02:30 does not exist on the spring night: the run comes right after the gap, at 03:00 CEST, once.
        { "daily 02:30 Europe/Berlin", "2026-03-28T00:00Z", "2026-03-30T12:00Z", ["2026-03-28T01:30Z", "2026-03-29T01:00Z", "2026-03-30T00:30Z"] },
        // 02:30 happens twice on the fall night: the run comes at the first (CEST), once.
        { "daily 02:30 Europe/Berlin", "2026-10-24T00:00Z", "2026-10-26T12:00Z", ["2026-10-24T00:30Z", "2026-10-25T00:30Z", "2026-10-26T01:30Z"] },
        // Hourly: one run in every real hour. The skipped local hour (02:xx) has no run, and nothing doubles 03:30...
        { "hourly 30 Europe/Berlin", "2026-03-28T21:00Z", "2026-03-29T04:00Z",
            ["2026-03-28T21:30Z", "2026-03-28T22:30Z", "2026-03-28T23:30Z", "2026-03-29T00:30Z", "2026-03-29T01:30Z", "2026-03-29T02:30Z", "2026-03-29T03:30Z"] },
        // ...at minute 0 the end of the gap is itself a slot (03:00 CEST), still once...
        { "hourly 0 Europe/Berlin", "2026-03-28T21:00Z", "2026-03-29T04:00Z",
            ["2026-03-28T22:00Z", "2026-03-28T23:00Z", "2026-03-29T00:00Z", "2026-03-29T01:00Z", "2026-03-29T02:00Z", "2026-03-29T03:00Z", "2026-03-29T04:00Z"] },
        // ...and both instances of the repeated hour run (02:30 CEST and 02:30 CET are two real hours).
        { "hourly 30 Europe/Berlin", "2026-10-24T21:00Z", "2026-10-25T04:00Z",
            ["2026-10-24T21:30Z", "2026-10-24T22:30Z", "2026-10-24T23:30Z", "2026-10-25T00:30Z", "2026-10-25T01:30Z", "2026-10-25T02:30Z", "2026-10-25T03:30Z"] },
        { "weekly sunday 02:30 Europe/Berlin", "2026-03-15T12:00Z", "2026-04-06T00:00Z", ["2026-03-22T01:30Z", "2026-03-29T01:00Z", "2026-04-05T00:30Z"] },
        { "weekly sunday 02:30 Europe/Berlin", "2026-10-15T12:00Z", "2026-11-02T00:00Z", ["2026-10-18T00:30Z", "2026-10-25T00:30Z", "2026-11-01T01:30Z"] },
        // Day 29 falls on the spring-forward night in March 2026, and February is short.
        { "monthly 29 02:30 Europe/Berlin", "2026-02-01T00:00Z", "2026-04-30T12:00Z", ["2026-02-28T01:30Z", "2026-03-29T01:00Z", "2026-04-29T00:30Z"] },

        // --- America/New_York: 02:00 EST → 03:00 EDT on 8 Mar 2026; 02:00 EDT → 01:00 EST on 1 Nov 2026 (01:xx twice).
        { "daily 02:30 America/New_York", "2026-03-07T00:00Z", "2026-03-09T12:00Z", ["2026-03-07T07:30Z", "2026-03-08T07:00Z", "2026-03-09T06:30Z"] },
        // 02:30 exists once on the fall night (it is 01:xx that repeats).
        { "daily 02:30 America/New_York", "2026-10-31T00:00Z", "2026-11-02T12:00Z", ["2026-10-31T06:30Z", "2026-11-01T07:30Z", "2026-11-02T07:30Z"] },
        { "daily 01:30 America/New_York", "2026-10-31T00:00Z", "2026-11-02T12:00Z", ["2026-10-31T05:30Z", "2026-11-01T05:30Z", "2026-11-02T06:30Z"] },
        { "hourly 15 America/New_York", "2026-03-08T04:00Z", "2026-03-08T10:00Z",
            ["2026-03-08T04:15Z", "2026-03-08T05:15Z", "2026-03-08T06:15Z", "2026-03-08T07:15Z", "2026-03-08T08:15Z", "2026-03-08T09:15Z"] },
        { "hourly 45 America/New_York", "2026-11-01T03:00Z", "2026-11-01T09:00Z",
            ["2026-11-01T03:45Z", "2026-11-01T04:45Z", "2026-11-01T05:45Z", "2026-11-01T06:45Z", "2026-11-01T07:45Z", "2026-11-01T08:45Z"] },
        { "weekly sunday 02:30 America/New_York", "2026-03-01T00:00Z", "2026-03-16T00:00Z", ["2026-03-01T07:30Z", "2026-03-08T07:00Z", "2026-03-15T06:30Z"] },
        { "weekly sunday 01:30 America/New_York", "2026-10-20T00:00Z", "2026-11-09T00:00Z", ["2026-10-25T05:30Z", "2026-11-01T05:30Z", "2026-11-08T06:30Z"] },

        // --- Asia/Jakarta: UTC+7 all year; the local day starts at 17:00 UTC the day before.
        { "daily 01:00 Asia/Jakarta", "2026-06-01T00:00Z", "2026-06-03T00:00Z", ["2026-06-01T18:00Z", "2026-06-02T18:00Z"] },
        { "hourly 10 Asia/Jakarta", "2026-06-01T00:00Z", "2026-06-01T03:00Z", ["2026-06-01T00:10Z", "2026-06-01T01:10Z", "2026-06-01T02:10Z"] },
        { "weekly monday 06:00 Asia/Jakarta", "2026-06-01T00:00Z", "2026-06-16T00:00Z", ["2026-06-07T23:00Z", "2026-06-14T23:00Z"] },
        { "monthly 1 00:30 Asia/Jakarta", "2026-01-15T00:00Z", "2026-03-15T00:00Z", ["2026-01-31T17:30Z", "2026-02-28T17:30Z"] },
        { "monthly 31 23:30 Asia/Jakarta", "2028-01-15T00:00Z", "2028-05-15T00:00Z", ["2028-01-31T16:30Z", "2028-02-29T16:30Z", "2028-03-31T16:30Z", "2028-04-30T16:30Z"] },

        // --- Days 29/30/31: the last day in shorter months. 2027 is a common year, 2028 a leap year.
        { "monthly 31 12:00 UTC", "2026-01-01T00:00Z", "2027-01-01T00:00Z",
            ["2026-01-31T12:00Z", "2026-02-28T12:00Z", "2026-03-31T12:00Z", "2026-04-30T12:00Z", "2026-05-31T12:00Z", "2026-06-30T12:00Z",
             "2026-07-31T12:00Z", "2026-08-31T12:00Z", "2026-09-30T12:00Z", "2026-10-31T12:00Z", "2026-11-30T12:00Z", "2026-12-31T12:00Z"] },
        { "monthly 30 12:00 UTC", "2027-01-01T00:00Z", "2027-05-01T00:00Z", ["2027-01-30T12:00Z", "2027-02-28T12:00Z", "2027-03-30T12:00Z", "2027-04-30T12:00Z"] },
        { "monthly 30 12:00 UTC", "2028-01-01T00:00Z", "2028-05-01T00:00Z", ["2028-01-30T12:00Z", "2028-02-29T12:00Z", "2028-03-30T12:00Z", "2028-04-30T12:00Z"] },
        { "monthly 29 12:00 UTC", "2027-01-01T00:00Z", "2027-05-01T00:00Z", ["2027-01-29T12:00Z", "2027-02-28T12:00Z", "2027-03-29T12:00Z", "2027-04-29T12:00Z"] },
        // In a leap February "day 29" and "last day" are the same run, once.
        { "monthly 29 12:00 UTC", "2028-01-01T00:00Z", "2028-05-01T00:00Z", ["2028-01-29T12:00Z", "2028-02-29T12:00Z", "2028-03-29T12:00Z", "2028-04-29T12:00Z"] },
        { "monthly 31 12:00 UTC", "2028-02-01T00:00Z", "2028-05-01T00:00Z", ["2028-02-29T12:00Z", "2028-03-31T12:00Z", "2028-04-30T12:00Z"] },
        { "monthly 28 12:00 UTC", "2028-01-01T00:00Z", "2028-04-01T00:00Z", ["2028-01-28T12:00Z", "2028-02-28T12:00Z", "2028-03-28T12:00Z"] },
        // A leap day at the turn of the local day, in a zone ahead of UTC.
        { "daily 00:00 Asia/Jakarta", "2028-02-28T00:00Z", "2028-03-01T00:00Z", ["2028-02-28T17:00Z", "2028-02-29T17:00Z"] },
    };

    [Theory]
    [MemberData(nameof(Timelines))]
    public void A_timer_ticking_through_the_window_sees_each_slot_once_at_its_moment(string spec, string from, string to, string[] expected)
    {
        var schedule = Schedule(spec);
        var start = At(from);
        var end = At(to);
        // Minute ticks through nights; coarser ones through months (the slot is exact either way, only seen later).
        var tick = end - start > TimeSpan.FromDays(3) ? TimeSpan.FromMinutes(20) : TimeSpan.FromMinutes(1);
        var clock = new FakeTimeProvider(start);
        var seen = new List<(DateTimeOffset Slot, DateTimeOffset SeenAt)>();

        for (; clock.GetUtcNow() <= end; clock.Advance(tick))
        {
            var now = clock.GetUtcNow();
            var slot = ScheduleCalculator.LatestDueSlot(schedule, now, notBefore: start);
            if (slot is { } due && (seen.Count == 0 || due != seen[^1].Slot))
            {
                if (seen.Count > 0)
                    Assert.True(due > seen[^1].Slot, $"{spec}: slot {due:o} came after {seen[^1].Slot:o}");
                seen.Add((due, now));
            }
            // nextRunAt as the API shows it at this moment: the first expected slot after now.
            var next = ScheduleCalculator.NextSlot(schedule, now);
            var expectedNext = expected.Select(At).FirstOrDefault(s => s > now);
            if (expectedNext != default)
                Assert.True(next == expectedNext, $"{spec} at {now:o}: next slot {next:o}, expected {expectedNext:o}");
        }

        Assert.Equal(expected.Select(At), seen.Select(s => s.Slot));
        // Each slot comes due at the first tick at or after it, never before.
        Assert.All(seen, s => Assert.InRange(s.SeenAt - s.Slot, TimeSpan.Zero, tick - TimeSpan.FromTicks(1)));
        // Slots carry the zone's offset at that instant.
        var zone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone);
        Assert.All(seen, s => Assert.Equal(zone.GetUtcOffset(s.Slot), s.Slot.Offset));
    }

    [Theory]
    [MemberData(nameof(Timelines))]
    public void NextSlot_step_by_step_gives_the_same_slots(string spec, string from, string to, string[] expected)
    {
        var schedule = Schedule(spec);
        var slots = new List<DateTimeOffset>();
        for (var slot = ScheduleCalculator.NextSlot(schedule, At(from)); slot <= At(to); slot = ScheduleCalculator.NextSlot(schedule, slot!.Value))
            slots.Add(slot!.Value);

        Assert.Equal(expected.Select(At), slots);
    }

    /// <summary>Schedule, when the last slot ran, when the app is back, the one slot that must run then.</summary>
    public static TheoryData<string, string, string, string> Outages => new()
    {
        { "hourly 30 Europe/Berlin", "2026-03-27T10:30Z", "2026-03-30T09:10Z", "2026-03-30T08:30Z" },
        { "daily 02:30 Europe/Berlin", "2026-01-10T01:30Z", "2026-01-13T08:00Z", "2026-01-13T01:30Z" },
        // Three weeks down across the spring change.
        { "weekly sunday 02:30 Europe/Berlin", "2026-03-15T01:30Z", "2026-04-10T00:00Z", "2026-04-05T00:30Z" },
        // Just before the next weekly slot: the last one is still found (6 days 23 hours back).
        { "weekly monday 06:00 UTC", "2026-05-25T06:00Z", "2026-06-08T05:59Z", "2026-06-01T06:00Z" },
        // Monthly: the latest slot can be 31 days back.
        { "monthly 1 00:00 UTC", "2026-05-01T00:00Z", "2026-07-31T23:59Z", "2026-07-01T00:00Z" },
        { "monthly 31 12:00 UTC", "2027-01-31T12:00Z", "2027-03-31T11:59Z", "2027-02-28T12:00Z" },
    };

    [Theory]
    [MemberData(nameof(Outages))]
    public void Slots_missed_while_down_run_once_for_the_latest(string spec, string lastRun, string backUp, string expected)
    {
        var schedule = Schedule(spec);

        var slot = ScheduleCalculator.LatestDueSlot(schedule, At(backUp), notBefore: At(lastRun));

        Assert.Equal(At(expected), slot);
        // The same slot stays the latest until the next one: it runs once (its job id is fixed), not once per missed slot.
        Assert.Equal(slot, ScheduleCalculator.LatestDueSlot(schedule, At(backUp).AddSeconds(30), notBefore: At(lastRun)));
        Assert.True(ScheduleCalculator.NextSlot(schedule, At(backUp)) > At(backUp));
    }

    /// <summary>
    /// "frequency [minute | dayOfWeek | dayOfMonth] [time] zone": <c>hourly 30 Europe/Berlin</c>, <c>daily 02:30 UTC</c>,
    /// <c>weekly sunday 02:30 UTC</c>, <c>monthly 31 12:00 UTC</c>.
    /// </summary>
    private static BackupSchedule Schedule(string spec)
    {
        var parts = spec.Split(' ');
        var number = (string text) => int.Parse(text, CultureInfo.InvariantCulture);
        return parts[0] switch
        {
            "hourly" => new BackupSchedule { Frequency = "hourly", Minute = number(parts[1]), TimeZone = parts[2] },
            "daily" => new BackupSchedule { Frequency = "daily", Time = parts[1], TimeZone = parts[2] },
            "weekly" => new BackupSchedule { Frequency = "weekly", DayOfWeek = parts[1], Time = parts[2], TimeZone = parts[3] },
            "monthly" => new BackupSchedule { Frequency = "monthly", DayOfMonth = number(parts[1]), Time = parts[2], TimeZone = parts[3] },
            _ => throw new ArgumentException($"Unknown schedule spec '{spec}'.", nameof(spec)),
        };
    }

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);
}
