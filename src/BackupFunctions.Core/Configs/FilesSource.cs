using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// The CMS's site files: components (folders) under one root, a local folder (<see cref="Root"/>) or another
/// <see cref="Source"/>; a component may live in a source of its own (<see cref="ComponentSources"/>).
/// </summary>
public sealed record FilesSource
{
    public static readonly IReadOnlyList<string> DefaultComponents = ["uploads", "themes", "plugins", "config"];

    /// <summary>The local site root (today's shorthand for a <c>local</c> source); empty when <see cref="Source"/> is another type.</summary>
    public string Root { get; init; } = "";

    /// <summary>Where the components live when not in the local folder <see cref="Root"/>; null: local.</summary>
    public SiteSourceSettings? Source { get; init; }

    /// <summary>Every component's name, also of those in <see cref="ComponentSources"/>: the folders backed up.</summary>
    public IReadOnlyList<string> Components { get; init; } = DefaultComponents;

    /// <summary>Components that live in a source of their own, by name (each also in <see cref="Components"/>); null: none.</summary>
    public IReadOnlyDictionary<string, SiteSourceSettings>? ComponentSources { get; init; }

    /// <summary>The source of the components without one of their own: <see cref="Source"/>, else local at <see cref="Root"/>.</summary>
    public SiteSourceSettings MainSource() => Source ?? new SiteSourceSettings { Type = SiteSourceTypes.Local, Root = Root };

    /// <summary>Whether every component is read from the local folder <see cref="Root"/> (today's behaviour).</summary>
    public bool IsLocal() => Source is null && ComponentSources is not { Count: > 0 };

    /// <summary>The source <paramref name="component"/> is read from.</summary>
    public SiteSourceSettings SourceOf(string component) =>
        ComponentSources is not null && ComponentSources.TryGetValue(component, out var own) ? own : MainSource();
}
