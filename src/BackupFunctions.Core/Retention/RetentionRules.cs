using BackupFunctions.Core.Storage;

namespace BackupFunctions.Core.Retention;

/// <summary>Pure checks of a retention policy: its validity (for the config validator) and how it fits the destinations' locks.</summary>
public static class RetentionRules
{
    /// <summary>The policy's errors as (field under <c>retention.</c>, message); empty when it is valid.</summary>
    public static IReadOnlyList<(string Field, string Message)> Validate(RetentionPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var errors = new List<(string, string)>();
        foreach (var (field, count) in new[]
        {
            ("keepDaily", policy.KeepDaily), ("keepWeekly", policy.KeepWeekly),
            ("keepMonthly", policy.KeepMonthly), ("keepYearly", policy.KeepYearly),
        })
        {
            if (count < 0)
                errors.Add((field, $"{field} is a number of backups: 0 (the rule is off) or more."));
        }
        if (policy.MaxTotalBackups is < 1)
            errors.Add(("maxTotalBackups", "maxTotalBackups is at least 1; leave it out for no cap."));
        if (policy.KeepWithin is { } within && (within <= TimeSpan.Zero || within > RetentionDuration.Max))
            errors.Add(("keepWithin", $"keepWithin is more than 0 and at most {RetentionDuration.Format(RetentionDuration.Max)}: {RetentionDuration.FormatHelp}."));
        if (policy.AutoCleanup && !policy.HasRules)
            errors.Add(("autoCleanup", "autoCleanup needs a rule (keepDaily, keepWeekly, keepMonthly, keepYearly, maxTotalBackups or keepWithin); without one every backup is kept."));
        return errors;
    }

    /// <summary>
    /// Where a destination's immutability lock and the policy disagree. A lock shorter than <c>keepWithin</c> leaves
    /// backups the policy promises to keep deletable by anyone holding the destination's credentials; a lock longer
    /// than the age at which the policy may remove a backup (keepWithin, or no age at all for count rules alone) keeps
    /// such backups past the policy, using space, until their lock ends (retention reports them as locked).
    /// </summary>
    /// <param name="destinations">Each destination's location (for the message) and its immutability settings.</param>
    public static IReadOnlyList<string> ImmutabilityWarnings(RetentionPolicy policy, IEnumerable<(string Location, ImmutabilityOptions Immutability)> destinations)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(destinations);
        var warnings = new List<string>();
        if (!policy.HasRules)
            return warnings;
        foreach (var (location, immutability) in destinations)
        {
            if (immutability is not { Enabled: true, Days: > 0 })
                continue;
            var locked = TimeSpan.FromDays(immutability.Days);
            var days = $"{immutability.Days} days";
            if (policy.KeepWithin is not { } within)
            {
                warnings.Add($"{location} locks each backup for {days}, but the retention policy has no keepWithin: its count rules may remove " +
                    $"younger backups, which then stay until their lock ends (reported as locked). Set keepWithin to {immutability.Days}d to match.");
            }
            else if (locked < within)
            {
                warnings.Add($"{location} locks each backup for {days} only, but keepWithin keeps backups for {RetentionDuration.Format(within)}: " +
                    $"older ones are no longer protected from deletion by someone holding the destination's credentials. " +
                    $"Set its immutability days to at least {Math.Ceiling(within.TotalDays)}.");
            }
            else if (locked > within)
            {
                warnings.Add($"{location} locks each backup for {days}, longer than keepWithin ({RetentionDuration.Format(within)}): backups the " +
                    $"policy removes before they are {days} old stay until their lock ends (reported as locked) and keep using space.");
            }
        }
        return warnings;
    }
}
