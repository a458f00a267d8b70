namespace BackupFunctions.Core.Backups;

/// <summary>An earlier backup of the same config, as the incremental policy sees it.</summary>
/// <param name="HoldsFiles">It has a file index (a database-only backup is no base).</param>
/// <param name="Unusable">Why it may not be a base (failed verification, being deleted), or null.</param>
public sealed record BaseCandidate(string Id, DateTimeOffset CreatedAt, bool HoldsFiles, string? Unusable = null);
