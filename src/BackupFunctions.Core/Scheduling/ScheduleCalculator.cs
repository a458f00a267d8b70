using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Scheduling;

/// <summary>Pure schedule arithmetic (Cronos underneath): which slot is due, and when the next one is.</summary>
public static class ScheduleCalculator
{
    /// <summary>
    /// The latest slot at or before <paramref name="now"/> and after <paramref name="notBefore"/> (usually the config's
    /// creation), or null when none. Slots missed while the app was down collapse into this one slot, so they run
    /// once, not once per missed slot. Manual schedules have no slots.
    /// </summary>
    public static DateTimeOffset? LatestDueSlot(BackupSchedule schedule, DateTimeOffset now, DateTimeOffset notBefore)
        => throw new NotImplementedException();

    /// <summary>The first slot strictly after <paramref name="after"/>, or null for manual schedules.</summary>
    public static DateTimeOffset? NextSlot(BackupSchedule schedule, DateTimeOffset after)
        => throw new NotImplementedException();
}
