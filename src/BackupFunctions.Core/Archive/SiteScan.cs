namespace BackupFunctions.Core.Archive;

/// <summary>Totals of a site before archiving, for progress and ETA.</summary>
public sealed record SiteScan(long Files, long Folders, long Bytes);
