using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>The contract on a local folder, opened through <see cref="Core.Sources.Sites.SiteSources"/> (confined by Files:AllowedRoots).</summary>
public sealed class LocalSiteSourceContractTests : SiteSourceContractTests
{
    /// <remarks>A config's components are folder names; a nested one (wp-content/uploads) is opened as backupctl opens it.</remarks>
    protected override Task<ISiteSource> CreateSiteAsync(string localFolder, IReadOnlyList<string> components) =>
        Task.FromResult(components.Any(c => c.Contains('/'))
            ? Core.Sources.Sites.SiteSources.Local(localFolder, components)
            : Factory(localFolder).Open(new FilesSource { Root = localFolder, Components = components }));

    protected override Task RemoveAsync(string path)
    {
        File.Delete(Path.Combine(Local, path));
        return Task.CompletedTask;
    }
}
