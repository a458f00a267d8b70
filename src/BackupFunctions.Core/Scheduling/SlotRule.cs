using Cronos;

namespace BackupFunctions.Core.Scheduling;

/// <summary>
/// A parsed schedule: the union of one or more cron expressions in one time zone, so that "day 31" can be "day 31, or
/// the last day of a shorter month". Instants that two expressions share count once.
/// </summary>
/// <param name="Crons">The expressions whose occurrences together are the slots.</param>
/// <param name="Zone">The schedule's time zone; Cronos applies its daylight-saving rules.</param>
/// <param name="Minute">
/// For hourly schedules, the local minute every slot must show. Cronos moves an occurrence that falls into a
/// spring-forward gap to the end of the gap (02:30 → 03:00); for an hourly schedule that would be a second run in the
/// same real hour (03:00 and 03:30), so such moved occurrences are dropped.
/// </param>
/// <param name="LookBack">Longer than the longest time between two slots, daylight-saving hour included.</param>
internal sealed record SlotRule(IReadOnlyList<CronExpression> Crons, TimeZoneInfo Zone, int? Minute, TimeSpan LookBack)
{
    /// <summary>The first slot strictly after <paramref name="after"/>, or null when there is none.</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        DateTimeOffset? first = null;
        foreach (var cron in Crons)
        {
            var next = cron.GetNextOccurrence(after, Zone, inclusive: false);
            while (next is { } slot && !Accepts(slot))
                next = cron.GetNextOccurrence(slot, Zone, inclusive: false);
            if (next < first || first is null)
                first = next;
        }
        return first;
    }

    /// <summary>The slots after <paramref name="from"/> up to and including <paramref name="to"/>, in order.</summary>
    public IEnumerable<DateTimeOffset> Between(DateTimeOffset from, DateTimeOffset to)
        => Crons.SelectMany(cron => cron.GetOccurrences(from, to, Zone, fromInclusive: false, toInclusive: true))
            .Where(Accepts)
            .Distinct()
            .Order();

    private bool Accepts(DateTimeOffset slot) => Minute is not { } minute || slot.Minute == minute;
}
