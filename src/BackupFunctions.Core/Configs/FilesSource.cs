namespace BackupFunctions.Core.Configs;

/// <summary>The CMS's site files: components (folders) under one root.</summary>
public sealed record FilesSource
{
    public static readonly IReadOnlyList<string> DefaultComponents = ["uploads", "themes", "plugins", "config"];

    public required string Root { get; init; }
    public IReadOnlyList<string> Components { get; init; } = DefaultComponents;
}
