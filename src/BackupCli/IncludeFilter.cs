using Microsoft.Extensions.FileSystemGlobbing;

namespace BackupCli;

/// <summary>
/// <c>--include</c> globs over the '/'-separated paths of a backup's file index (<c>*</c> within a name, <c>**</c>
/// across folders, case-sensitive). A path is included when a glob matches it or one of the folders above it, so
/// <c>--include uploads/2024</c> restores that whole folder.
/// </summary>
internal sealed class IncludeFilter
{
    private readonly Matcher _matcher = new(StringComparison.Ordinal);

    private IncludeFilter(IEnumerable<string> patterns) => _matcher.AddIncludePatterns(patterns);

    /// <summary>The filter of the patterns; null (everything) when none are given.</summary>
    public static IncludeFilter? Create(IReadOnlyList<string>? patterns)
    {
        if (patterns is null || patterns.Count == 0)
            return null;
        foreach (var pattern in patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern) || pattern.StartsWith('/') || pattern.Split('/').Any(s => s is "." or ".."))
                throw new UsageException($"--include '{pattern}' must be a glob relative to the site folder, e.g. uploads/** or themes/*/style.css.");
        }
        return new IncludeFilter(patterns.Select(p => p.TrimEnd('/')));
    }

    public bool Includes(string path)
    {
        for (var current = path; ; current = current[..current.LastIndexOf('/')])
        {
            if (_matcher.Match(current).HasMatches)
                return true;
            if (!current.Contains('/', StringComparison.Ordinal))
                return false;
        }
    }
}
