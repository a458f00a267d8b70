using System.Globalization;
using System.Security.Cryptography;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// Ids of configs (<c>cfg-</c>), storage locations (<c>stg-</c>) and restore jobs (<c>rst-</c>): the prefix, 12 hex digits of inverted Unix
/// milliseconds, then 12 random hex digits (48 bits from <see cref="RandomNumberGenerator"/>), e.g.
/// <c>cfg-1a2b3c4d5e6f0123456789ab</c>. The inverted time makes a plain row-key scan list them newest first (like
/// <see cref="JobIds"/>) while the id stays the row key, so a read by id is one point read; the random part keeps
/// ids unguessable and unique within a millisecond.
/// </summary>
internal static class CatalogIds
{
    public const string ConfigPrefix = "cfg-";
    public const string StoragePrefix = "stg-";
    public const string RestorePrefix = "rst-";

    public static string New(string prefix, DateTimeOffset now)
    {
        var inverted = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds() - now.ToUnixTimeMilliseconds();
        // MaxValue in Unix ms is 0xE677D21FDBFF: 12 hex digits always suffice, and fixed width keeps the sort order.
        return prefix + inverted.ToString("x12", CultureInfo.InvariantCulture) + RandomNumberGenerator.GetHexString(12, lowercase: true);
    }
}
