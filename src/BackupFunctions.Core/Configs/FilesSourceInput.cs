using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Configs;

/// <summary>
/// <c>files</c> as a request may write it: <c>root</c> (a local folder; without it and without <c>source</c>, the
/// default CMS's site root <c>Cms:Files:Root</c>) or <c>source</c> (where the files live: local, azureBlob,
/// azureFiles, sftp), and the components, each a name or a name with a source of its own.
/// </summary>
public sealed record FilesSourceInput
{
    public string? Root { get; init; }
    public SiteSourceSettings? Source { get; init; }
    public IReadOnlyList<FilesComponentInput>? Components { get; init; }

    /// <summary>The input form of a stored <paramref name="files"/> (what an answer shows and PUT takes back).</summary>
    public static FilesSourceInput From(FilesSource files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return new FilesSourceInput
        {
            Root = files.Source is null ? files.Root : null,
            Source = files.Source,
            Components = [.. files.Components.Select(c => new FilesComponentInput
            {
                Name = c,
                Source = files.ComponentSources is not null && files.ComponentSources.TryGetValue(c, out var own) ? own : null,
            })],
        };
    }
}
