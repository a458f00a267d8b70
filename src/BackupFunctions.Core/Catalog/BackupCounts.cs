namespace BackupFunctions.Core.Catalog;

/// <summary>
/// How many backup rows one config has, by type and status: the counter row <see cref="BackupsTable"/> keeps beside
/// the config's backups (written in the same transaction as each backup row), so a total is one point read, not a scan.
/// </summary>
public sealed record BackupCounts(string ConfigId, IReadOnlyDictionary<string, long> ByTypeAndStatus)
{
    /// <summary>The rows of the given type and status (null: any).</summary>
    public long Count(string? type, IReadOnlyCollection<string>? statuses)
        => ByTypeAndStatus.Where(p => Matches(p.Key, type, statuses)).Sum(p => p.Value);

    internal static string Key(string type, string status) => type + "|" + status;

    private static bool Matches(string key, string? type, IReadOnlyCollection<string>? statuses)
    {
        var bar = key.IndexOf('|', StringComparison.Ordinal);
        return (type is null || key.AsSpan(0, bar).SequenceEqual(type)) && (statuses is null || statuses.Contains(key[(bar + 1)..]));
    }
}
