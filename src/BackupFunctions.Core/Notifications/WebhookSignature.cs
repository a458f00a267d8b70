using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace BackupFunctions.Core.Notifications;

/// <summary>
/// How a webhook request is signed, and how a receiver checks it. The signed content is the timestamp header's value,
/// a dot, and the exact body bytes: <c>HMAC-SHA256(secret, "{timestamp}." + body)</c>, sent as
/// <c>X-BackupFunctions-Signature: sha256=&lt;lowercase hex&gt;</c>. A receiver recomputes it over the raw body (before
/// any JSON parsing), compares in constant time, and refuses timestamps older than a few minutes (replays).
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-BackupFunctions-Signature";
    public const string TimestampHeader = "X-BackupFunctions-Timestamp";
    public const string EventHeader = "X-BackupFunctions-Event";
    public const string DeliveryHeader = "X-BackupFunctions-Delivery";
    public const string Scheme = "sha256=";

    /// <summary><c>sha256=</c> + hex HMAC-SHA256 of <c>"{timestamp}."</c> followed by <paramref name="body"/>.</summary>
    public static string Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return Scheme + Convert.ToHexStringLower(Mac(secret, unixSeconds.ToString(CultureInfo.InvariantCulture), body));
    }

    /// <summary>
    /// The receiver's check: the signature matches and the timestamp is within <paramref name="tolerance"/> of
    /// <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, string? timestampHeader, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(secret);
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || signatureHeader is null || !signatureHeader.StartsWith(Scheme, StringComparison.Ordinal))
            return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance)
            return false;
        byte[] presented;
        try
        {
            presented = Convert.FromHexString(signatureHeader.AsSpan(Scheme.Length));
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(presented, Mac(secret, timestampHeader!, body));
    }

    // A webhook body is a few KiB of JSON, so one buffer is fine here.
    private static byte[] Mac(string secret, string timestamp, ReadOnlySpan<byte> body) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), (byte[])[.. Encoding.ASCII.GetBytes(timestamp + "."), .. body]);
}
