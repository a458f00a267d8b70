using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Core.Restores.Drills;

/// <summary>The outcome of <see cref="RestoreDrillLauncher.StartNowAsync"/>: the drill when started, else why not.</summary>
public sealed record DrillStartResult(DrillStartOutcome Outcome, RestoreDrill? Drill = null, string? Reason = null);
