using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace BackupFunctions.Http;

/// <summary>
/// Who a request is from, for a job's <c>createdBy</c>: the CMS names its user in <c>X-Requested-By</c>; App Service
/// authentication (Easy Auth) puts the signed-in principal in <c>X-MS-CLIENT-PRINCIPAL-NAME</c>. Both are the caller's
/// words, so each is checked (1–128 printable characters) and a bad one is refused with a 400 naming the header.
/// </summary>
public static class Callers
{
    public const string RequestedByHeader = "X-Requested-By";
    public const string PrincipalHeader = "X-MS-CLIENT-PRINCIPAL-NAME";
    public const int MaxLength = 128;

    /// <summary>
    /// <c>user</c>, <c>user (via principal)</c>, <c>principal</c>, or <c>api</c> when neither header is given; or the
    /// error for the header that is not acceptable.
    /// </summary>
    public static (string? CreatedBy, IReadOnlyDictionary<string, string[]>? Errors) Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        var requestedBy = Header(request, RequestedByHeader, errors);
        var principal = Header(request, PrincipalHeader, errors);
        if (errors.Count > 0)
            return (null, errors);
        return ((requestedBy, principal) switch
        {
            ({ } user, { } via) when user != via => $"{user} (via {via})",
            ({ } user, _) => user,
            (null, { } via) => via,
            _ => "api",
        }, null);
    }

    private static string? Header(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        if (!request.Headers.TryGetValue(name, out var values) || values.Count == 0)
            return null;
        var value = values.Count == 1 ? values[0]?.Trim() : null;
        if (value is null || value.Length is 0 or > MaxLength || !value.All(IsPrintable))
        {
            errors[name] = [$"{name} must be one value of 1 to {MaxLength} printable characters (no control characters or line breaks)."];
            return null;
        }
        return value;
    }

    private static bool IsPrintable(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is not (
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned);
}
