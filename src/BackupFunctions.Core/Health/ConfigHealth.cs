using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Health;

/// <summary>The health of one config (see <see cref="HealthCalculator.ForConfig"/>).</summary>
public sealed record ConfigHealth
{
    public required string ConfigId { get; init; }
    public required string Name { get; init; }

    /// <summary><c>healthy</c>, <c>warning</c> or <c>critical</c> (see <see cref="HealthStatuses"/>).</summary>
    public required string Status { get; init; }

    public LastSuccessfulBackup? LastSuccessfulBackup { get; init; }

    /// <summary>Failed runs since the last successful one.</summary>
    public required int ConsecutiveFailures { get; init; }

    /// <summary>Mean run time in seconds of the last <see cref="HealthCalculator.AverageOver"/> successful runs; null without any.</summary>
    public double? AverageBackupTime { get; init; }

    /// <summary>Mean stored size in bytes of those backups (the ones still in the catalog); null without any.</summary>
    public long? AverageBackupSize { get; init; }

    /// <summary>How many successful runs the averages cover.</summary>
    public required int AveragedOver { get; init; }

    public required IReadOnlyList<DestinationHealth> StorageUsage { get; init; }

    /// <summary>The config's open and acknowledged alerts, most severe first.</summary>
    public required IReadOnlyList<BackupAlert> OpenAlerts { get; init; }

    /// <summary>The config's latest finished restore drill (when, backup, result, measured time to restore); null: never drilled.</summary>
    public LastRestoreDrill? LastRestoreDrill { get; init; }
}
