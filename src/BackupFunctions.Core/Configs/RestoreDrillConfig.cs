namespace BackupFunctions.Core.Configs;

/// <summary>
/// A config's restore drill (config <c>restoreDrill</c>): on its schedule, the newest successful backup is restored into
/// a scratch database and folder, checked, and thrown away (<see cref="Restores.Drills.RestoreDrillRunner"/>).
/// </summary>
public sealed record RestoreDrillConfig
{
    /// <summary>Same form and rules as the backup schedule (<see cref="Scheduling.ScheduleCalculator.Validate"/>).</summary>
    public required BackupSchedule Schedule { get; init; }

    /// <summary>
    /// Read-only queries run at backup time on the live database and at drill time on the scratch one; their answers
    /// must agree. At most <see cref="RestoreDrillRules.MaxChecks"/>.
    /// </summary>
    public IReadOnlyList<RestoreDrillCheck> Checks { get; init; } = [];
}
