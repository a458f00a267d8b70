using System.Buffers.Text;
using System.Text;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// The catalog's continuation tokens: the service's token ("next partition key, space, next row key") wrapped in
/// base64url. Unwrapping checks its shape (the keys inside are the service's own encoding), so a mangled or made-up
/// token is refused with an <see cref="ArgumentException"/> (a 400 for the API) instead of being sent to the service.
/// </summary>
internal static class ContinuationTokens
{
    public static string? Wrap(string? serviceToken)
        => string.IsNullOrEmpty(serviceToken) ? null : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(serviceToken));

    public static string? Unwrap(string? token)
    {
        if (string.IsNullOrEmpty(token))
            return null;
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        var space = decoded.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || decoded.Length == space + 1 || decoded.IndexOf(' ', space + 1) >= 0 || decoded.Any(char.IsControl))
            throw Invalid();
        return decoded;
    }

    private static ArgumentException Invalid()
        => new("The continuation token is not valid; use the one from the previous page.", "continuationToken");
}
