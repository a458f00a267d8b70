namespace BackupFunctions.Core.Restores.Drills;

/// <summary>What a drill's restore did, and how long it took (the RTO).</summary>
public sealed record DrillRestored(double DurationSeconds, long Files, long Bytes, int Tables);
