namespace BackupFunctions.Core.Configs;

/// <summary><c>files</c> as a request may write it: without <c>root</c>, the default CMS's site root (<c>Cms:Files:Root</c>).</summary>
public sealed record FilesSourceInput
{
    public string? Root { get; init; }
    public IReadOnlyList<string>? Components { get; init; }
}
