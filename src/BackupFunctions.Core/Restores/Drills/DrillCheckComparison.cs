using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>Compares a drill's check answers with the ones the backup recorded: pure, so the rules are testable alone.</summary>
public static class DrillCheckComparison
{
    /// <param name="checks">The config's checks now (their order is the result's).</param>
    /// <param name="recorded">What the backup's manifest recorded (null: a manifest from before drills, or no checks then).</param>
    /// <param name="answered">What the scratch database answered, one per check of <paramref name="checks"/>.</param>
    public static IReadOnlyList<DrillCheckOutcome> Compare(
        IReadOnlyList<RestoreDrillCheck> checks, IReadOnlyList<RecordedDrillCheck>? recorded, IReadOnlyList<RecordedDrillCheck> answered)
    {
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(answered);
        var byName = (recorded ?? []).GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var now = answered.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var outcomes = new List<DrillCheckOutcome>(checks.Count);
        foreach (var check in checks)
        {
            var drill = now[check.Name];
            if (!byName.TryGetValue(check.Name, out var then))
            {
                outcomes.Add(new(check.Name, DrillCheckOutcome.NotRecorded, "The backup recorded no answer for this check (it is older than the check).", drill.Rows, null));
                continue;
            }
            if (!string.Equals(then.Query, drill.Query, StringComparison.Ordinal))
            {
                outcomes.Add(new(check.Name, DrillCheckOutcome.Changed, "The check's query changed since the backup; its answers are not comparable.", drill.Rows, then.Rows));
                continue;
            }
            string? problem = null;
            if (then.Error is { } thenError)
                problem = $"The query failed on the live database at backup time (SQLSTATE {thenError}).";
            else if (drill.Error is { } drillError)
                problem = $"The query failed on the restored database (SQLSTATE {drillError}).";
            else if (then.Rows != drill.Rows)
                problem = $"The restored database answered {drill.Rows} rows, the live one {then.Rows} at backup time.";
            else if (!string.Equals(then.Digest, drill.Digest, StringComparison.Ordinal))
                problem = $"The restored database answered {drill.Rows} rows as at backup time, but with different values.";
            outcomes.Add(new(check.Name, problem is null ? DrillCheckOutcome.Passed : DrillCheckOutcome.Failed, problem, drill.Rows, then.Rows));
        }
        return outcomes;
    }
}
