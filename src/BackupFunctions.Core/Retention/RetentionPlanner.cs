using System.Globalization;

namespace BackupFunctions.Core.Retention;

/// <summary>
/// The retention plan as a pure function: for every backup, keep or remove and why. Never removes the newest
/// successful backup, a backup that a kept (or locked, or held) backup references or has in its base chain — with
/// what those reference in turn —, a backup under an immutability lock (that one is kept and reported), a held one
/// (<see cref="RetentionCandidate.Hold"/>), or a pre-restore backup younger than <see cref="PreRestoreKeep"/>.
/// </summary>
public static class RetentionPlanner
{
    /// <summary>The trigger of the backup a restore takes of the live state first.</summary>
    public const string PreRestoreTrigger = "pre-restore";

    /// <summary>
    /// How long a pre-restore backup is kept whatever the rules (and the cap) say: it is what undoes a restore that
    /// turned out wrong, and a config's rules (say, one backup a day) would otherwise remove it at the next run.
    /// </summary>
    public static readonly TimeSpan PreRestoreKeep = TimeSpan.FromDays(7);

    /// <param name="zone">The config's time zone: calendar buckets (days, ISO weeks, months, years) are local.</param>
    public static IReadOnlyList<RetentionDecision> Plan(
        IReadOnlyList<RetentionCandidate> backups, RetentionPolicy policy, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(backups);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(zone);
        // Newest first, as restic walks them; the id breaks ties so the plan never depends on input order.
        var ordered = backups.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Id, StringComparer.Ordinal).ToList();
        var reasons = ordered.ToDictionary(b => b.Id, _ => new List<string>(), StringComparer.Ordinal);

        if (!policy.HasRules)
        {
            foreach (var backup in ordered)
                reasons[backup.Id].Add("no retention rule");
        }
        else
        {
            ApplyBuckets(ordered.Where(b => b.Successful).ToList(), policy, zone, reasons);
            if (policy.KeepWithin is { } within)
            {
                foreach (var backup in ordered.Where(b => b.CreatedAt > now - within))
                    reasons[backup.Id].Add($"within {Format(within)}");
            }
        }

        var protectedReasons = Protections(ordered, now);
        if (policy.MaxTotalBackups is { } max)
        {
            // The cap removes the oldest kept backups that nothing else protects.
            var kept = ordered.Where(b => reasons[b.Id].Count > 0).ToList();
            foreach (var backup in kept.Skip(max).Where(b => !protectedReasons.ContainsKey(b.Id)))
                reasons[backup.Id].Clear();
        }
        foreach (var (id, reason) in protectedReasons)
            reasons[id].Add(reason);
        // A kept incremental keeps what it references and its whole chain, whatever the cap did.
        KeepWhatKeptBackupsNeed(ordered, reasons);

        return [.. ordered.Select(b => Decide(b, reasons[b.Id]))];
    }

    private static RetentionDecision Decide(RetentionCandidate backup, List<string> reasons)
    {
        if (reasons.Count > 0)
            return new RetentionDecision(backup.Id, true, reasons);
        // Checked against the lock itself, not the clock: a lock is the destination's to enforce.
        return backup.LockedUntil is { } until
            ? new RetentionDecision(backup.Id, true, [$"locked until {until:yyyy-MM-dd HH:mm} UTC (would be removed)"], until)
            : new RetentionDecision(backup.Id, false, [backup.Successful ? "no rule keeps it" : "not a successful backup"]);
    }

    /// <summary>
    /// restic's bucket walk (as restic 0.14 does it): for each rule, newest first, the first backup of each new bucket
    /// while the rule has counts left. Unused counts are not spent on the oldest backup.
    /// </summary>
    private static void ApplyBuckets(List<RetentionCandidate> successful, RetentionPolicy policy, TimeZoneInfo zone, Dictionary<string, List<string>> reasons)
    {
        var rules = new (string Name, int Count, Func<DateTime, string> Bucket)[]
        {
            ("daily", policy.KeepDaily, t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            ("weekly", policy.KeepWeekly, t => $"{ISOWeek.GetYear(t)}-W{ISOWeek.GetWeekOfYear(t):D2}"),
            ("monthly", policy.KeepMonthly, t => t.ToString("yyyy-MM", CultureInfo.InvariantCulture)),
            ("yearly", policy.KeepYearly, t => t.ToString("yyyy", CultureInfo.InvariantCulture)),
        };
        foreach (var (name, count, bucketOf) in rules)
        {
            var left = count;
            string? last = null;
            for (var i = 0; i < successful.Count && left > 0; i++)
            {
                var bucket = bucketOf(TimeZoneInfo.ConvertTime(successful[i].CreatedAt, zone).DateTime);
                if (bucket == last)
                    continue;
                reasons[successful[i].Id].Add($"{name} {bucket}");
                last = bucket;
                left--;
            }
        }
    }

    private static Dictionary<string, string> Protections(List<RetentionCandidate> ordered, DateTimeOffset now)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        // Only a successful one: a failed pre-restore backup undoes nothing (and its restore never touched the site).
        foreach (var backup in ordered.Where(b => b.Trigger == PreRestoreTrigger && b.Successful && b.CreatedAt > now - PreRestoreKeep))
            result[backup.Id] = $"pre-restore backup (kept {PreRestoreKeep.TotalDays:0} days)";
        if (ordered.FirstOrDefault(b => b.Successful) is { } newest)
            result[newest.Id] = "newest successful backup";
        foreach (var backup in ordered.Where(b => b.Hold is not null))
            result[backup.Id] = result.TryGetValue(backup.Id, out var other) ? $"{other}; {backup.Hold}" : backup.Hold!;
        return result;
    }

    /// <summary>
    /// Every backup a kept one needs stays: what it references ("referenced by …": its index points into their
    /// volumes) and its base chain ("base of kept backup …", as before references existed). A backup kept only because
    /// of a lock counts as kept (the lock keeps it; it must stay restorable). What is kept that way keeps what it needs
    /// in turn, until nothing more is added.
    /// </summary>
    private static void KeepWhatKeptBackupsNeed(List<RetentionCandidate> ordered, Dictionary<string, List<string>> reasons)
    {
        var byId = ordered.ToDictionary(b => b.Id, StringComparer.Ordinal);
        var kept = ordered.Where(b => reasons[b.Id].Count > 0 || b.LockedUntil is not null).Select(b => b.Id).ToHashSet(StringComparer.Ordinal);
        var initial = new HashSet<string>(kept, StringComparer.Ordinal);
        var pending = new Queue<RetentionCandidate>(ordered.Where(b => kept.Contains(b.Id)));
        while (pending.TryDequeue(out var backup))
        {
            foreach (var referenced in (backup.ReferencedBackupIds ?? []).Distinct(StringComparer.Ordinal))
            {
                if (referenced == backup.Id || !byId.TryGetValue(referenced, out var target))
                    continue;
                Add(target, $"referenced by {backup.Id}");
            }
            var current = backup;
            var walked = new HashSet<string>(StringComparer.Ordinal) { backup.Id };
            while (current.BaseBackupId is { } baseId && byId.TryGetValue(baseId, out var parent) && walked.Add(baseId))
            {
                // The chain of a backup the rules kept names it all the way down (as it always did); a backup kept
                // only for another one's sake adds its chain only where nothing keeps it yet.
                if (initial.Contains(backup.Id) || !kept.Contains(baseId))
                    Add(parent, $"base of kept backup {backup.Id}");
                current = parent;
            }
        }

        void Add(RetentionCandidate target, string reason)
        {
            if (!reasons[target.Id].Contains(reason))
                reasons[target.Id].Add(reason);
            if (kept.Add(target.Id))
                pending.Enqueue(target);
        }
    }

    private static string Format(TimeSpan span) => span.TotalDays >= 1 && span.TotalDays == Math.Floor(span.TotalDays)
        ? $"{span.TotalDays:0}d"
        : span.ToString("c", CultureInfo.InvariantCulture);
}
