using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>What one run of <see cref="AlertMonitor.EvaluateAsync"/> found and did.</summary>
public sealed record AlertEvaluation
{
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>Every alert raised by this evaluation, new ones and ones that were open already (updated).</summary>
    public required IReadOnlyList<RaisedAlert> Raised { get; init; }

    /// <summary>The alerts this evaluation resolved because their cause is gone.</summary>
    public required IReadOnlyList<BackupAlert> Resolved { get; init; }

    /// <summary>The destinations measured (and stored) by this evaluation.</summary>
    public required IReadOnlyList<StorageUsage> Usage { get; init; }

    /// <summary>Destination key → why it could not be measured; its storage_full alert is left as it was.</summary>
    public required IReadOnlyDictionary<string, string> MeasurementFailures { get; init; }

    /// <summary>The alerts that were not open before this evaluation: the ones to tell people about.</summary>
    public IEnumerable<BackupAlert> NewlyRaised => Raised.Where(r => r.IsNew).Select(r => r.Alert);
}
