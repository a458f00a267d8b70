using BackupFunctions.Core.Catalog;

namespace BackupFunctions.Http;

/// <summary>
/// A page of <c>GET /api/backups</c>: the backups, the token of the next page, and how many backups the filters keep
/// in all (read from the per-config counter rows; null when <c>from</c>/<c>to</c> limit the time, which no counter
/// answers).
/// </summary>
public sealed record BackupListPage(IReadOnlyList<BackupRecord> Items, string? ContinuationToken, long? TotalCount);
