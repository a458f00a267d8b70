using Microsoft.AspNetCore.Http;

namespace BackupFunctions.Http;

/// <summary>The paging query of list endpoints: <c>?pageSize=1..100&amp;continuationToken=...</c>.</summary>
public sealed record PageQuery(int PageSize, string? ContinuationToken)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public static (PageQuery? Query, IReadOnlyDictionary<string, string[]>? Errors) Read(HttpRequest request)
    {
        var size = DefaultPageSize;
        if (request.Query.TryGetValue("pageSize", out var raw) && (!int.TryParse(raw, out size) || size is < 1 or > MaxPageSize))
            return (null, new Dictionary<string, string[]> { ["pageSize"] = [$"pageSize must be a whole number from 1 to {MaxPageSize}."] });
        var token = request.Query.TryGetValue("continuationToken", out var t) && !string.IsNullOrEmpty(t) ? t.ToString() : null;
        return (new PageQuery(size, token), null);
    }
}
