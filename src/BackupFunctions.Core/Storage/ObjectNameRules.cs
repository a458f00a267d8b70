namespace BackupFunctions.Core.Storage;

/// <summary>
/// The name rules of <see cref="IBackupStore"/>, shared by every implementation, and of the places that become part
/// of names or paths: a config's <c>prefix</c>, a local destination's <c>path</c>, a remote base folder. The
/// <c>…Problem</c> functions are what the API checks when a config or storage location is posted (a 400 naming the
/// field) and what the stores and factory check when they write, so nothing is accepted that a write would refuse.
/// </summary>
internal static class ObjectNameRules
{
    /// <summary>The longest <c>prefix</c> a destination may have.</summary>
    public const int MaxPrefixLength = 200;

    /// <summary>The longest local or remote base path a destination may have.</summary>
    public const int MaxPathLength = 1000;

    /// <summary>
    /// Refuses names that could escape a folder, alias another name or mean different things to different
    /// destinations: empty, a leading '/', empty segments ("a//b", trailing '/'), "." and "..", backslashes,
    /// control characters.
    /// </summary>
    public static void Validate(string name, string parameterName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        if (NameProblem(name) is { } problem)
            throw new ArgumentException($"Object name '{Printable(name)}' {problem}.", parameterName);
    }

    /// <summary>
    /// A list prefix: empty, or a name that may end with '/' or in the middle of a segment. Only the complete
    /// segments are held to the segment rules, because "a/." is a fine prefix of "a/.config".
    /// </summary>
    public static void ValidatePrefix(string prefix, string parameterName = "prefix")
    {
        ArgumentNullException.ThrowIfNull(prefix, parameterName);
        if (prefix.Length == 0)
            return;
        if (prefix[0] == '/')
            throw new ArgumentException($"Prefix '{Printable(prefix)}' must not start with '/'.", parameterName);
        if (CharactersProblem(prefix) is { } characters)
            throw new ArgumentException($"Prefix '{Printable(prefix)}' {characters}.", parameterName);
        var lastSlash = prefix.LastIndexOf('/');
        if (lastSlash < 0)
            return;
        foreach (var segment in prefix[..lastSlash].Split('/'))
        {
            if (SegmentProblem(segment) is { } problem)
                throw new ArgumentException($"Prefix '{Printable(prefix)}' {problem}.", parameterName);
        }
    }

    /// <summary>Null when <paramref name="name"/> is a valid object name; else what is wrong ("has an empty segment").</summary>
    public static string? NameProblem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
            return "must not be empty";
        if (name[0] == '/')
            return "must not start with '/'";
        if (CharactersProblem(name) is { } characters)
            return characters;
        foreach (var segment in name.Split('/'))
        {
            if (SegmentProblem(segment) is { } problem)
                return problem;
        }
        return null;
    }

    /// <summary>
    /// Null when <paramref name="prefix"/> may prefix a destination's object names
    /// (<c>&lt;prefix&gt;/backups/&lt;id&gt;/…</c>, see <see cref="Backups.ObjectNames.BackupFolder"/>): empty, or
    /// '/'-separated segments (a leading or trailing '/' is ignored) that a name may hold, at most
    /// <see cref="MaxPrefixLength"/> characters. Else what is wrong.
    /// </summary>
    public static string? DestinationPrefixProblem(string? prefix)
    {
        if (prefix is null)
            return "must be a string";
        if (prefix.Length > MaxPrefixLength)
            return $"must be at most {MaxPrefixLength} characters";
        var trimmed = prefix.Trim('/');
        return trimmed.Length == 0 ? null : NameProblem(trimmed);
    }

    /// <summary>
    /// Null when <paramref name="path"/> may be a local destination's folder under <c>Storage:LocalRoot</c>:
    /// relative, '/'-separated segments that a name may hold (no empty, '.' or '..' segment, no '\', no control
    /// characters), at most <see cref="MaxPathLength"/> characters. Else what is wrong.
    /// </summary>
    public static string? LocalPathProblem(string? path)
    {
        if (string.IsNullOrEmpty(path))
            return "must not be empty";
        if (path.Length > MaxPathLength)
            return $"must be at most {MaxPathLength} characters";
        if (Path.IsPathRooted(path))
            return "must be relative to the local root (Storage:LocalRoot), not absolute";
        return NameProblem(path);
    }

    /// <summary>
    /// Null when <paramref name="path"/> may be the base folder of a remote (SFTP, FTP) destination: empty (the login
    /// folder), or '/'-separated segments that a name may hold, absolute or relative (a leading or trailing '/' is
    /// ignored), at most <see cref="MaxPathLength"/> characters. Else what is wrong.
    /// </summary>
    public static string? BasePathProblem(string? path)
    {
        if (path is null)
            return "must be a string";
        if (path.Length > MaxPathLength)
            return $"must be at most {MaxPathLength} characters";
        var trimmed = path.Trim('/');
        return trimmed.Length == 0 ? null : NameProblem(trimmed);
    }

    private static string? CharactersProblem(string value)
    {
        foreach (var c in value)
        {
            if (c == '\\')
                return "must not contain '\\'";
            if (char.IsControl(c))
                return "must not contain control characters";
        }
        return null;
    }

    private static string? SegmentProblem(string segment)
    {
        if (segment.Length == 0)
            return "has an empty segment ('//' or a '/' at the end)";
        if (segment is "." or "..")
            return "must not contain '.' or '..' segments";
        return null;
    }

    // Names end up in exception messages and logs: control characters would garble (or forge) log lines.
    internal static string Printable(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
}
