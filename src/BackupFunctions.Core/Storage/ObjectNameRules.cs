namespace BackupFunctions.Core.Storage;

/// <summary>The object-name rules of <see cref="IBackupStore"/>, shared by every implementation.</summary>
internal static class ObjectNameRules
{
    /// <summary>
    /// Refuses names that could escape a folder, alias another name or mean different things to different
    /// destinations: empty, a leading '/', empty segments ("a//b", trailing '/'), "." and "..", backslashes,
    /// control characters.
    /// </summary>
    public static void Validate(string name, string parameterName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        if (name.Length == 0)
            throw new ArgumentException("An object name must not be empty.", parameterName);
        if (name[0] == '/')
            throw new ArgumentException($"Object name '{Printable(name)}' must not start with '/'.", parameterName);
        ValidateCharacters(name, parameterName);
        foreach (var segment in name.Split('/'))
            ValidateSegment(name, segment, parameterName);
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
        ValidateCharacters(prefix, parameterName);
        var lastSlash = prefix.LastIndexOf('/');
        if (lastSlash < 0)
            return;
        foreach (var segment in prefix[..lastSlash].Split('/'))
            ValidateSegment(prefix, segment, parameterName);
    }

    private static void ValidateCharacters(string value, string parameterName)
    {
        foreach (var c in value)
        {
            if (c == '\\')
                throw new ArgumentException($"Object name '{Printable(value)}' must not contain '\\'.", parameterName);
            if (char.IsControl(c))
                throw new ArgumentException($"Object name '{Printable(value)}' must not contain control characters.", parameterName);
        }
    }

    private static void ValidateSegment(string value, string segment, string parameterName)
    {
        if (segment.Length == 0)
            throw new ArgumentException($"Object name '{Printable(value)}' has an empty segment.", parameterName);
        if (segment is "." or "..")
            throw new ArgumentException($"Object name '{Printable(value)}' must not contain '.' or '..' segments.", parameterName);
    }

    // Names end up in exception messages and logs: control characters would garble (or forge) log lines.
    private static string Printable(string value) =>
        string.Create(value.Length, value, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
                span[i] = char.IsControl(source[i]) ? '?' : source[i];
        });
}
