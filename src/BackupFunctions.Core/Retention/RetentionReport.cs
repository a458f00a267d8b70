using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Retention;

/// <summary>A config's retention plan (newest backup first), the outcome of applying it, and totals.</summary>
/// <param name="Applied">False for a dry run: nothing was changed.</param>
/// <param name="Warnings">Where the destinations' immutability locks and the policy disagree (see <see cref="RetentionRules.ImmutabilityWarnings"/>),
/// and destinations whose temporary objects could not be swept.</param>
public sealed record RetentionReport(
    string ConfigId,
    DateTimeOffset EvaluatedAt,
    bool Applied,
    IReadOnlyList<RetentionEntry> Backups,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Temporary objects of interrupted uploads that the run removed (0 in a dry run).</summary>
    public int TemporariesRemoved { get; init; }

    /// <summary>Their bytes.</summary>
    public long TemporaryBytesRemoved { get; init; }

    /// <summary>Backups the plan keeps.</summary>
    public int Keep => Backups.Count(b => b.Decision == RetentionEntry.Keep);

    /// <summary>Backups the plan removes.</summary>
    public int Remove => Backups.Count(b => b.Decision == RetentionEntry.Remove);

    /// <summary>Stored bytes (all copies' sizes as recorded) of the backups the plan removes.</summary>
    public long RemoveBytes => Backups.Where(b => b.Decision == RetentionEntry.Remove).Sum(b => b.SizeBytes);

    /// <summary>Backups kept only because of an immutability lock (known beforehand, or met while removing).</summary>
    public int Locked => Backups.Count(b => b.LockedUntil is not null || b.Outcome == RetentionEntry.Locked);

    /// <summary>Backups actually removed (0 in a dry run).</summary>
    public int Removed => Backups.Count(b => b.Outcome == RetentionEntry.Removed);

    /// <summary>Removals that failed; they are tried again on the next run.</summary>
    public int Failed => Backups.Count(b => b.Outcome == RetentionEntry.Failed);

    /// <summary>The failures as one line each, for a job's warnings.</summary>
    [JsonIgnore]
    public IEnumerable<string> FailureLines => Backups.Where(b => b.Outcome == RetentionEntry.Failed)
        .Select(b => $"retention could not remove backup {b.BackupId}: {b.Error}");
}
