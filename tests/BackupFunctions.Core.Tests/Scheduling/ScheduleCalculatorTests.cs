using System.Globalization;
using System.Text.Json;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Scheduling;

namespace BackupFunctions.Core.Tests.Scheduling;

public sealed class ScheduleCalculatorTests
{
    private static readonly DateTimeOffset LongAgo = At("2000-01-01T00:00:00+00:00");

    /// <summary>Zone, local time, "after", the slot that must come next, and the one after it.</summary>
    public static TheoryData<string, string, string, string, string> Slots => new()
    {
        // Plain UTC.
        { "UTC", "02:00", "2026-01-10T01:00:00+00:00", "2026-01-10T02:00:00+00:00", "2026-01-11T02:00:00+00:00" },
        // Strictly after: a slot equal to "after" is not next.
        { "UTC", "02:00", "2026-01-10T02:00:00+00:00", "2026-01-11T02:00:00+00:00", "2026-01-12T02:00:00+00:00" },
        { "UTC", "00:00", "2026-12-31T23:59:00+00:00", "2027-01-01T00:00:00+00:00", "2027-01-02T00:00:00+00:00" },
        { "UTC", "23:59", "2026-05-05T00:00:00+00:00", "2026-05-05T23:59:00+00:00", "2026-05-06T23:59:00+00:00" },
        // Berlin, spring forward (02:00 → 03:00 on 29 Mar 2026): 02:30 does not exist, the run comes right after the gap, once.
        { "Europe/Berlin", "02:30", "2026-03-28T12:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00" },
        { "Europe/Berlin", "02:30", "2026-03-27T12:00:00+01:00", "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00" },
        // Berlin, fall back (03:00 → 02:00 on 25 Oct 2026): 02:30 happens twice, the run happens at the first, once.
        { "Europe/Berlin", "02:30", "2026-10-24T12:00:00+02:00", "2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00" },
        // Berlin, a time untouched by the change keeps its local time across it.
        { "Europe/Berlin", "06:00", "2026-10-24T12:00:00+02:00", "2026-10-25T06:00:00+01:00", "2026-10-26T06:00:00+01:00" },
        // New York, spring forward (02:00 → 03:00 on 8 Mar 2026).
        { "America/New_York", "02:15", "2026-03-07T12:00:00-05:00", "2026-03-08T03:00:00-04:00", "2026-03-09T02:15:00-04:00" },
        // New York, fall back (02:00 → 01:00 on 1 Nov 2026): 01:30 happens twice.
        { "America/New_York", "01:30", "2026-10-31T12:00:00-04:00", "2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00" },
        // Jakarta: UTC+7, no daylight saving; the local day differs from the UTC day.
        { "Asia/Jakarta", "23:45", "2026-06-01T00:00:00+00:00", "2026-06-01T23:45:00+07:00", "2026-06-02T23:45:00+07:00" },
        { "Asia/Jakarta", "05:00", "2026-06-01T23:00:00+00:00", "2026-06-03T05:00:00+07:00", "2026-06-04T05:00:00+07:00" },
    };

    [Theory]
    [MemberData(nameof(Slots))]
    public void NextSlot_is_the_first_local_slot_strictly_after(string zone, string time, string after, string next, string nextAfterThat)
    {
        var schedule = Daily(time, zone);

        var first = ScheduleCalculator.NextSlot(schedule, At(after));
        var second = ScheduleCalculator.NextSlot(schedule, first!.Value);

        AssertSameInstantAndOffset(At(next), first);
        AssertSameInstantAndOffset(At(nextAfterThat), second);
    }

    [Theory]
    [MemberData(nameof(Slots))]
    public void LatestDueSlot_is_the_slot_itself_from_its_moment_until_the_next_slot(string zone, string time, string after, string slot, string nextSlot)
    {
        _ = after;
        var schedule = Daily(time, zone);

        // Inclusive of now, and stable all the way to just before the next slot.
        AssertSameInstantAndOffset(At(slot), ScheduleCalculator.LatestDueSlot(schedule, At(slot), LongAgo));
        AssertSameInstantAndOffset(At(slot), ScheduleCalculator.LatestDueSlot(schedule, At(slot).AddMinutes(1), LongAgo));
        AssertSameInstantAndOffset(At(slot), ScheduleCalculator.LatestDueSlot(schedule, At(nextSlot).AddTicks(-1), LongAgo));
        AssertSameInstantAndOffset(At(nextSlot), ScheduleCalculator.LatestDueSlot(schedule, At(nextSlot), LongAgo));
        // Before the slot the previous one is due.
        Assert.True(ScheduleCalculator.LatestDueSlot(schedule, At(slot).AddTicks(-1), LongAgo) < At(slot));
    }

    [Fact]
    public void Fall_back_the_repeated_hour_keeps_the_first_slot_so_a_timer_ticking_through_it_runs_once()
    {
        var schedule = Daily("02:30", "Europe/Berlin");
        var due = new HashSet<DateTimeOffset>();

        // A timer every 5 minutes from 01:00 CEST to 04:00 CET on 25 Oct 2026 (4 hours of real time).
        for (var now = At("2026-10-25T01:00:00+02:00"); now <= At("2026-10-25T04:00:00+01:00"); now = now.AddMinutes(5))
        {
            if (ScheduleCalculator.LatestDueSlot(schedule, now, LongAgo) is { } slot && slot > At("2026-10-24T12:00:00+02:00"))
                due.Add(slot);
        }

        var only = Assert.Single(due);
        AssertSameInstantAndOffset(At("2026-10-25T02:30:00+02:00"), only);
    }

    [Fact]
    public void Spring_forward_a_timer_ticking_through_the_gap_runs_once_right_after_it()
    {
        var schedule = Daily("02:30", "Europe/Berlin");
        var due = new HashSet<DateTimeOffset>();

        for (var now = At("2026-03-29T01:00:00+01:00"); now <= At("2026-03-29T05:00:00+02:00"); now = now.AddMinutes(5))
        {
            if (ScheduleCalculator.LatestDueSlot(schedule, now, LongAgo) is { } slot && slot > At("2026-03-28T12:00:00+01:00"))
                due.Add(slot);
        }

        var only = Assert.Single(due);
        AssertSameInstantAndOffset(At("2026-03-29T03:00:00+02:00"), only);
    }

    [Fact]
    public void LatestDueSlot_collapses_a_three_day_outage_into_the_latest_slot()
    {
        var schedule = Daily("02:30", "Europe/Berlin");
        var lastRun = At("2026-01-10T02:30:00+01:00");
        var backUp = At("2026-01-13T09:00:00+01:00");

        var slot = ScheduleCalculator.LatestDueSlot(schedule, backUp, notBefore: lastRun);

        // Slots of the 11th and 12th are skipped; the 13th runs once. The next check at the same slot finds nothing new.
        AssertSameInstantAndOffset(At("2026-01-13T02:30:00+01:00"), slot);
        Assert.Null(ScheduleCalculator.LatestDueSlot(schedule, backUp.AddMinutes(5), notBefore: slot!.Value));
    }

    [Fact]
    public void NotBefore_excludes_slots_up_to_and_including_it()
    {
        var schedule = Daily("02:30", "Europe/Berlin");
        var created = At("2026-01-10T03:00:00+01:00");

        // Created after today's slot: nothing is due today...
        Assert.Null(ScheduleCalculator.LatestDueSlot(schedule, At("2026-01-10T23:00:00+01:00"), created));
        // ...tomorrow's slot is.
        AssertSameInstantAndOffset(At("2026-01-11T02:30:00+01:00"), ScheduleCalculator.LatestDueSlot(schedule, At("2026-01-11T02:30:00+01:00"), created));
        // notBefore is exclusive: a slot at exactly notBefore is not due.
        Assert.Null(ScheduleCalculator.LatestDueSlot(schedule, At("2026-01-11T08:00:00+01:00"), At("2026-01-11T02:30:00+01:00")));
        // notBefore after now: nothing.
        Assert.Null(ScheduleCalculator.LatestDueSlot(schedule, At("2026-01-11T08:00:00+01:00"), At("2026-01-12T00:00:00+01:00")));
    }

    [Theory]
    [InlineData(null, "UTC")]
    [InlineData("02:30", "Europe/Berlin")]
    [InlineData("99:99", "Nowhere/Special")]
    public void Manual_schedules_never_have_slots(string? time, string zone)
    {
        var schedule = new BackupSchedule { Frequency = "manual", Time = time, TimeZone = zone };

        Assert.Null(ScheduleCalculator.LatestDueSlot(schedule, At("2026-06-01T12:00:00+00:00"), LongAgo));
        Assert.Null(ScheduleCalculator.NextSlot(schedule, At("2026-06-01T12:00:00+00:00")));
    }

    [Fact]
    public void Unknown_time_zone_throws_ArgumentException_naming_the_field()
    {
        var schedule = Daily("02:30", "Mars/Olympus_Mons");

        var e = Assert.Throws<ArgumentException>(() => ScheduleCalculator.NextSlot(schedule, LongAgo));
        Assert.Contains("schedule.timeZone", e.Message, StringComparison.Ordinal);
        Assert.Contains("Mars/Olympus_Mons", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ScheduleCalculator.LatestDueSlot(schedule, LongAgo, LongAgo));
    }

    [Fact]
    public void Invalid_time_throws_ArgumentException_naming_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => ScheduleCalculator.NextSlot(Daily("24:00", "UTC"), LongAgo));

        Assert.Contains("schedule.time", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A schedule as the API receives it (JSON, camelCase), and the fields that validation must name.</summary>
    public static TheoryData<string, string[]> Validations => new()
    {
        { """{ "frequency": "daily", "time": "02:30", "timeZone": "Europe/Berlin" }""", [] },
        { """{ "frequency": "daily", "time": "00:00", "timeZone": "UTC" }""", [] },
        { """{ "frequency": "daily", "time": "23:59", "timeZone": "Asia/Jakarta" }""", [] },
        { """{ "frequency": "manual" }""", [] },
        { """{ "frequency": "hourly", "minute": 0 }""", [] },
        { """{ "frequency": "hourly", "minute": 59, "timeZone": "America/New_York" }""", [] },
        { """{ "frequency": "weekly", "dayOfWeek": "monday", "time": "02:30", "timeZone": "Europe/Berlin" }""", [] },
        { """{ "frequency": "weekly", "dayOfWeek": "sunday", "time": "23:59" }""", [] },
        { """{ "frequency": "monthly", "dayOfMonth": 1, "time": "00:00" }""", [] },
        { """{ "frequency": "monthly", "dayOfMonth": 31, "time": "02:30", "timeZone": "Europe/Berlin" }""", [] },
        // A manual schedule may keep the fields of the schedule it replaced.
        { """{ "frequency": "manual", "time": "02:30", "minute": 5, "dayOfWeek": "friday", "dayOfMonth": 3 }""", [] },

        { """{ "frequency": "yearly", "time": "02:30" }""", ["schedule.frequency"] },
        { """{ "frequency": "Daily", "time": "02:30" }""", ["schedule.frequency"] },
        { """{ "frequency": "" }""", ["schedule.frequency"] },

        { """{ "frequency": "daily" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "24:00" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "12:60" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "7:30" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "07.30" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "+1:30" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": " 7:30" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "07:30:00" }""", ["schedule.time"] },
        { """{ "frequency": "weekly", "dayOfWeek": "monday" }""", ["schedule.time"] },
        { """{ "frequency": "monthly", "dayOfMonth": 3, "time": "25:00" }""", ["schedule.time"] },

        { """{ "frequency": "hourly" }""", ["schedule.minute"] },
        { """{ "frequency": "hourly", "minute": 60 }""", ["schedule.minute"] },
        { """{ "frequency": "hourly", "minute": -1 }""", ["schedule.minute"] },
        { """{ "frequency": "hourly", "minute": 5, "time": "02:30" }""", ["schedule.time"] },
        { """{ "frequency": "daily", "time": "02:30", "minute": 5 }""", ["schedule.minute"] },

        { """{ "frequency": "weekly", "time": "02:30" }""", ["schedule.dayOfWeek"] },
        { """{ "frequency": "weekly", "time": "02:30", "dayOfWeek": "Monday" }""", ["schedule.dayOfWeek"] },
        { """{ "frequency": "weekly", "time": "02:30", "dayOfWeek": "mon" }""", ["schedule.dayOfWeek"] },
        { """{ "frequency": "weekly", "time": "02:30", "dayOfWeek": "" }""", ["schedule.dayOfWeek"] },
        { """{ "frequency": "daily", "time": "02:30", "dayOfWeek": "monday" }""", ["schedule.dayOfWeek"] },

        { """{ "frequency": "monthly", "time": "02:30" }""", ["schedule.dayOfMonth"] },
        { """{ "frequency": "monthly", "time": "02:30", "dayOfMonth": 0 }""", ["schedule.dayOfMonth"] },
        { """{ "frequency": "monthly", "time": "02:30", "dayOfMonth": 32 }""", ["schedule.dayOfMonth"] },
        { """{ "frequency": "weekly", "time": "02:30", "dayOfWeek": "friday", "dayOfMonth": 13 }""", ["schedule.dayOfMonth"] },

        { """{ "frequency": "daily", "time": "02:30", "timeZone": "Mars/Olympus_Mons" }""", ["schedule.timeZone"] },
        { """{ "frequency": "daily", "time": "02:30", "timeZone": "" }""", ["schedule.timeZone"] },
        { """{ "frequency": "manual", "timeZone": "Nowhere" }""", ["schedule.timeZone"] },
        { """{ "frequency": "fortnightly", "time": "25:00", "timeZone": "Nowhere" }""", ["schedule.frequency", "schedule.timeZone"] },
        { """{ "frequency": "daily", "time": "ab:cd", "timeZone": "Nowhere" }""", ["schedule.time", "schedule.timeZone"] },
        { """{ "frequency": "hourly", "time": "02:30", "dayOfWeek": "monday", "dayOfMonth": 2 }""",
            ["schedule.minute", "schedule.time", "schedule.dayOfWeek", "schedule.dayOfMonth"] },
    };

    [Theory]
    [MemberData(nameof(Validations))]
    public void Validate_names_each_wrong_field(string json, string[] expectedFields)
    {
        var schedule = JsonSerializer.Deserialize<BackupSchedule>(json, JsonSerializerOptions.Web)!;

        var errors = ScheduleCalculator.Validate(schedule);

        Assert.Equal(expectedFields.Order(StringComparer.Ordinal), errors.Keys.Order(StringComparer.Ordinal));
        Assert.All(errors.Values, message => Assert.False(string.IsNullOrWhiteSpace(message)));
        if (expectedFields.Length > 0 && schedule.Frequency != "manual")
        {
            var e = Assert.Throws<ArgumentException>(() => ScheduleCalculator.NextSlot(schedule, LongAgo));
            Assert.Contains(errors.Keys.First(), e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_messages_say_what_is_expected()
    {
        var errors = ScheduleCalculator.Validate(new BackupSchedule { Frequency = "yearly", TimeZone = "Nowhere" });
        Assert.Contains("'manual', 'hourly', 'daily', 'weekly', 'monthly'", errors["schedule.frequency"], StringComparison.Ordinal);
        Assert.Contains("Nowhere", errors["schedule.timeZone"], StringComparison.Ordinal);

        Assert.Contains("HH:MM", ScheduleCalculator.Validate(Daily("x", "UTC"))["schedule.time"], StringComparison.Ordinal);
        Assert.Contains("0 to 59", ScheduleCalculator.Validate(new BackupSchedule { Frequency = "hourly", Minute = 60 })["schedule.minute"], StringComparison.Ordinal);
        Assert.Contains("monday, tuesday, wednesday, thursday, friday, saturday, sunday",
            ScheduleCalculator.Validate(new BackupSchedule { Frequency = "weekly", Time = "02:30", DayOfWeek = "Mon" })["schedule.dayOfWeek"], StringComparison.Ordinal);
        var day = ScheduleCalculator.Validate(new BackupSchedule { Frequency = "monthly", Time = "02:30", DayOfMonth = 32 })["schedule.dayOfMonth"];
        Assert.Contains("1 to 31", day, StringComparison.Ordinal);
        Assert.Contains("last day", day, StringComparison.Ordinal);
    }

    private static BackupSchedule Daily(string time, string zone) => new() { Frequency = "daily", Time = time, TimeZone = zone };

    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture);

    private static void AssertSameInstantAndOffset(DateTimeOffset expected, DateTimeOffset? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected, actual.Value);
        Assert.Equal(expected.Offset, actual.Value.Offset);
    }
}
