namespace BackupFunctions.Core.Notifications;

/// <summary>Reads a pinned certificate fingerprint (SHA-256 as hex, colons and spaces allowed).</summary>
public static class CertificatePins
{
    /// <summary>The 32 bytes, or null when <paramref name="text"/> is not a SHA-256 fingerprint.</summary>
    public static byte[]? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            return null;
        var hex = text.Replace(":", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal);
        if (hex.Length != 64)
            return null;
        try
        {
            return Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
