namespace BackupFunctions.Core.Restores.Drills;

/// <summary>The scratch targets after cleanup: both are proven gone, or the cleanup threw.</summary>
public sealed record DrillCleanup(string? DroppedDatabase, string? RemovedFolder);
