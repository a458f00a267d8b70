namespace BackupFunctions.Core.Restores.Drills;

/// <summary>What a drill restores and where (from <see cref="RestoreDrillRunner.StartAsync"/>; passes through orchestration history, holds no secret).</summary>
/// <param name="ScratchDatabase">Null when the backup has no database part.</param>
/// <param name="ScratchFolder">Null when the backup has no files.</param>
public sealed record DrillPlan(string DrillId, string ConfigId, string BackupId, string? ScratchDatabase, string? ScratchFolder);
