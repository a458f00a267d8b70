namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The latest finished drill, as a backup (<see cref="BackupRecord.LastRestoreDrill"/>) and a config's health show it.
/// </summary>
/// <param name="When">When the drill finished.</param>
/// <param name="DrillId">The drill (<c>GET /api/restore-drills/{id}</c>).</param>
/// <param name="BackupId">The backup it restored.</param>
/// <param name="Result"><c>passed</c> or <c>failed</c> (<see cref="RestoreDrillStatuses"/>).</param>
/// <param name="DurationSeconds">The measured time to restore (RTO): download, verification, files and database, row counts and hashes; null when the restore did not finish.</param>
public sealed record LastRestoreDrill(DateTimeOffset When, string DrillId, string? BackupId, string Result, double? DurationSeconds);
