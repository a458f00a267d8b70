namespace BackupFunctions.Core.Archive;

/// <summary>One entry of a backup plan: a listed site entry and the volume (1, 2, …) that will hold it.</summary>
public sealed record PlannedEntry(SiteEntry Entry, int Volume);
