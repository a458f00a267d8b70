namespace BackupFunctions.Core.Configs;

/// <summary>Which site folders configs may back up (settings section <c>Files</c>).</summary>
public sealed class FilesOptions
{
    public const string SectionName = "Files";

    /// <summary>
    /// Absolute folders separated by <c>;</c> (<c>/var/www;/mnt/cms</c>): a config's <c>files.root</c> must
    /// resolve, symbolic links followed, to one of them or a folder inside one. Empty (the default): no config may back
    /// up local site files. Without it, an API caller could back up any folder the app can read (<c>/</c>, the key
    /// file's folder) to a destination of their choosing.
    /// </summary>
    public string AllowedRoots { get; set; } = "";

    /// <summary>The folders of <see cref="AllowedRoots"/>, as written (blank entries dropped).</summary>
    public IReadOnlyList<string> AllowedRootList() =>
        [.. AllowedRoots.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>Null when the setting is valid; else the start-up error naming it.</summary>
    public string? Validate()
    {
        var relative = AllowedRootList().FirstOrDefault(root => !Path.IsPathFullyQualified(root));
        return relative is null
            ? null
            : $"Files:AllowedRoots must be absolute folders separated by ';' (e.g. /var/www); '{relative}' is not absolute.";
    }
}
