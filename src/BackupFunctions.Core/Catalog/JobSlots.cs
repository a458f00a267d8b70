namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The guard row of one config's <c>maxConcurrent</c> places as read: the jobs that claimed one, and the row's
/// version (its ETag; null while the config has no row yet). A claim writes the row back only if it is still at this
/// version (<see cref="JobsTable.TryWriteSlotsAsync"/>), so two starts that read the same places cannot both
/// take the last one.
/// </summary>
public sealed record JobSlots(string ConfigId, IReadOnlyList<JobSlotHolder> Holders, string? Version);
