using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Catalog;

/// <summary>A backup config as the catalog holds it.</summary>
public sealed record StoredBackupConfig(string Id, BackupConfig Config, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// The next scheduled slot as of the last look (creation, or the scheduler's last run); null for manual schedules
    /// and for rows written before the column existed.
    /// </summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>
    /// When DELETE /api/backup-configs/{id} deleted it; null while it exists. A deleted config never runs and is not
    /// listed; its row stays so that the backups it left are listed and restorable under its id and name.
    /// </summary>
    public DateTimeOffset? DeletedAt { get; init; }

    /// <summary>
    /// The version an editor read, as the API's strong <c>ETag</c> (quoted): a hash of the config and its
    /// <see cref="UpdatedAt"/>, so it changes with every edit and not when the scheduler records the next run.
    /// </summary>
    public string Version()
    {
        var text = JsonSerializer.Serialize(Config, CatalogJson.Options) + "|" + UpdatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16)) + "\"";
    }

    /// <summary>
    /// Whether this is the version an editor read: <paramref name="ifMatch"/> (an <c>If-Match</c> header: <c>*</c>, or
    /// one or more ETags separated by commas, weak ones compared by their value) and <paramref name="updatedAt"/>, each
    /// when given.
    /// </summary>
    public bool IsAt(string? ifMatch, DateTimeOffset? updatedAt)
    {
        if (updatedAt is { } read && read != UpdatedAt)
            return false;
        if (string.IsNullOrWhiteSpace(ifMatch) || ifMatch.Trim() == "*")
            return true;
        var version = Version();
        return ifMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(tag => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag)
            .Any(tag => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(tag), Encoding.UTF8.GetBytes(version)));
    }
}
