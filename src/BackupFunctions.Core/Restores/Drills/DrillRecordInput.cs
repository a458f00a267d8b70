namespace BackupFunctions.Core.Restores.Drills;

/// <summary>How a drill went, for <see cref="RestoreDrillRunner.RecordAsync"/>: each part null when its step did not finish.</summary>
/// <param name="Error">Why the drill failed (the failed step's message); null when every step ran.</param>
/// <param name="Cancelled">The drill was cancelled: recorded as such, no alert.</param>
public sealed record DrillRecordInput(
    string DrillId,
    DrillPlan? Plan,
    DrillRestored? Restored,
    IReadOnlyList<DrillCheckOutcome>? Checks,
    DrillCleanup? Cleanup,
    string? Error,
    bool Cancelled = false);
