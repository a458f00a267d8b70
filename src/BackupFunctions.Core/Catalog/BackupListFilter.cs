namespace BackupFunctions.Core.Catalog;

/// <summary>
/// What a listing of backups keeps: each filter null means any. <see cref="Statuses"/> holds one or more
/// <see cref="BackupStatuses"/>; <see cref="From"/> is inclusive and <see cref="To"/> exclusive, both on <c>createdAt</c>.
/// </summary>
public sealed record BackupListFilter(
    string? ConfigId = null, string? Type = null, IReadOnlyList<string>? Statuses = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    /// <summary>Whether the filter can be counted from the counter rows (the time range cannot).</summary>
    public bool Countable => From is null && To is null;
}
