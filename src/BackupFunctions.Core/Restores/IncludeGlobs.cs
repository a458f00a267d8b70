using Microsoft.Extensions.FileSystemGlobbing;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// The items of an in-place restore: globs over the '/'-separated, site-relative paths of a backup's file index
/// (<c>*</c> within a name, <c>**</c> across folders, case-sensitive), as <c>backupctl restore --include</c> takes them.
/// A path is included when a glob matches it or one of the folders above it, so <c>uploads/2024</c> selects that whole
/// folder.
/// </summary>
/// <remarks>
/// The globs come from the API. They only ever filter the names of the backup's entries (which the extraction confines
/// to the site on its own), so a glob cannot reach outside; one that could only be meant to (absolute, a <c>.</c> or
/// <c>..</c> segment, a backslash, control characters) is refused all the same, to say so to the caller.
/// </remarks>
internal sealed class IncludeGlobs
{
    private readonly Matcher _matcher = new(StringComparison.Ordinal);

    private IncludeGlobs(IEnumerable<string> patterns) => _matcher.AddIncludePatterns(patterns);

    /// <summary>The globs; null (everything) when none are given.</summary>
    /// <exception cref="ArgumentException">A glob that is not allowed; the message names it (shortened) and why.</exception>
    public static IncludeGlobs? Create(IReadOnlyList<string>? patterns)
    {
        if (patterns is null || patterns.Count == 0)
            return null;
        if (patterns.Count > InPlaceFileRestore.MaxItems)
            throw new ArgumentException($"At most {InPlaceFileRestore.MaxItems} items may be restored at once.", nameof(patterns));
        var trimmed = new List<string>();
        foreach (var pattern in patterns)
        {
            if (Problem(pattern) is { } problem)
            {
                var shown = new string([.. (pattern ?? "").Take(100).Select(c => char.IsControl(c) ? '?' : c)]);
                throw new ArgumentException($"items: '{shown}' {problem}", nameof(patterns));
            }
            trimmed.Add(pattern!.TrimEnd('/'));
        }

        return new IncludeGlobs(trimmed);
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

    private static string? Problem(string? pattern)
    {
        if (string.IsNullOrWhiteSpace(pattern))
            return "is empty";
        if (pattern.Length > InPlaceFileRestore.MaxItemLength)
            return $"is longer than {InPlaceFileRestore.MaxItemLength} characters";
        if (pattern.Any(char.IsControl) || pattern.Contains('\\', StringComparison.Ordinal))
            return "holds control characters or a backslash";
        if (pattern.StartsWith('/') || pattern.StartsWith('~') || Path.IsPathRooted(pattern) || pattern.Contains(':', StringComparison.Ordinal))
            return "is not relative to the site root (e.g. uploads/2024/** or themes/*/style.css)";
        if (pattern.TrimEnd('/').Split('/').Any(s => s is "" or "." or ".."))
            return "has an empty, '.' or '..' segment: items are paths inside the site root";
        return null;
    }
}
