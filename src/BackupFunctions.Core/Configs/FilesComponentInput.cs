using System.Text.Json.Serialization;
using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// One item of <c>files.components</c>: a folder name (<c>"uploads"</c>), or <c>{"name": "themes", "source": {…}}</c>
/// for a component that lives in another source than the rest (<see cref="FilesSourceInput.Source"/>).
/// </summary>
[JsonConverter(typeof(FilesComponentInputJsonConverter))]
public sealed record FilesComponentInput
{
    /// <summary>The folder name under its source's root (and the archive's <c>&lt;component&gt;/</c> prefix).</summary>
    public required string Name { get; init; }

    /// <summary>Where this component lives; null: where <c>files.source</c> (or <c>files.root</c>) says.</summary>
    public SiteSourceSettings? Source { get; init; }
}
