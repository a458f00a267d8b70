namespace BackupFunctions.Core.Configs;

/// <summary>The default CMS's site files (settings <c>Cms:Files:*</c>); empty Root: none.</summary>
public sealed class CmsFilesOptions
{
    /// <summary>The site root, an absolute folder; like any config's root it must lie inside <c>Files:AllowedRoots</c>.</summary>
    public string Root { get; set; } = "";

    /// <summary>The component folders a <c>files</c>, <c>full</c> or <c>incremental</c> config backs up, separated by <c>;</c>.</summary>
    public string Components { get; set; } = string.Join(';', FilesSource.DefaultComponents);

    public IReadOnlyList<string> ComponentList() =>
        [.. Components.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
