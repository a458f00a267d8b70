using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// A component that is itself a symbolic link (uploads linked to a mounted volume) is stored as a link, never followed,
/// and named in the result, so that the job can say that what it points to is not in the backup.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class LinkedComponentArchiveTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    private async Task<ArchiveResult> ArchiveAsync(params string[] components)
    {
        using var tar = new MemoryStream();
        return await SiteArchiver.WriteAsync(Site, components, TarBuilder.Volume, tar, null, CancellationToken.None);
    }

    [Fact]
    public async Task A_component_that_is_a_link_is_stored_as_the_link_and_named_links_inside_components_are_not()
    {
        var volume = _temp.Combine("volume");
        Directory.CreateDirectory(volume);
        File.WriteAllText(Path.Combine(volume, "a.jpg"), "a");
        Directory.CreateDirectory(Path.Combine(Site, "themes", "classic"));
        File.WriteAllText(Path.Combine(Site, "themes", "classic", "style.css"), "body {}");
        Directory.CreateSymbolicLink(Path.Combine(Site, "themes", "current"), "classic");
        Directory.CreateSymbolicLink(Path.Combine(Site, "uploads"), volume);

        var result = await ArchiveAsync("themes", "uploads");

        Assert.Equal([new LinkedComponent("uploads", volume)], result.LinkedComponents);
        Assert.Equal(1, result.LinkedComponentCount);
        var uploads = Assert.Single(result.Entries, e => e.Path == "uploads");
        Assert.Equal(FileIndexEntry.SymbolicLinkType, uploads.Type);
        Assert.Equal(volume, uploads.LinkTarget);
        Assert.DoesNotContain(result.Entries, e => e.Path.StartsWith("uploads/", StringComparison.Ordinal));
        Assert.Contains(result.Entries, e => e.Path == "themes/current" && e.Type == FileIndexEntry.SymbolicLinkType);
        Assert.Empty(result.ChangedFiles);
    }

    [Fact]
    public async Task A_nested_component_and_a_file_component_that_are_links_are_named_with_their_paths()
    {
        Directory.CreateDirectory(Path.Combine(Site, "wp-content"));
        File.CreateSymbolicLink(Path.Combine(Site, "wp-content", "uploads"), "/mnt/media");
        File.CreateSymbolicLink(Path.Combine(Site, "wp-config.php"), "/etc/cms/wp-config.php");

        var result = await ArchiveAsync("wp-config.php", "wp-content/uploads");

        Assert.Equal(
            [new LinkedComponent("wp-config.php", "/etc/cms/wp-config.php"), new LinkedComponent("wp-content/uploads", "/mnt/media")],
            result.LinkedComponents);
    }

    [Fact]
    public async Task A_component_below_a_folder_that_is_a_link_is_named_and_nothing_of_it_is_stored()
    {
        var shared = _temp.Combine("shared");
        Directory.CreateDirectory(Path.Combine(shared, "uploads"));
        File.WriteAllText(Path.Combine(shared, "uploads", "a.jpg"), "not read");
        Directory.CreateDirectory(Path.Combine(Site, "themes"));
        Directory.CreateSymbolicLink(Path.Combine(Site, "wp-content"), shared);

        var result = await ArchiveAsync("themes", "wp-content/uploads");

        Assert.Equal([new LinkedComponent("wp-content/uploads", shared + "/uploads")], result.LinkedComponents);
        Assert.Equal(1, result.LinkedComponentCount);
        Assert.DoesNotContain(result.Entries, e => e.Path.StartsWith("wp-content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_site_without_linked_components_names_none()
    {
        Directory.CreateDirectory(Path.Combine(Site, "uploads"));
        File.WriteAllText(Path.Combine(Site, "uploads", "a.jpg"), "a");
        File.CreateSymbolicLink(Path.Combine(Site, "uploads", "elsewhere"), "/srv/elsewhere");

        var result = await ArchiveAsync("uploads", "themes");

        Assert.Empty(result.LinkedComponents);
        Assert.Equal(0, result.LinkedComponentCount);
    }

    [Fact]
    public async Task Long_targets_are_cut_in_the_list_and_only_the_first_components_are_listed_but_all_are_counted()
    {
        Directory.CreateDirectory(Site);
        var longTarget = "/mnt/" + new string('v', 2 * LinkedComponent.MaxChars);
        var components = Enumerable.Range(0, LinkedComponent.MaxListed + 3).Select(i => $"c{i:D2}").ToArray();
        foreach (var component in components)
            File.CreateSymbolicLink(Path.Combine(Site, component), longTarget);

        var result = await ArchiveAsync(components);

        Assert.Equal(components.Length, result.LinkedComponentCount);
        Assert.Equal(components.Take(LinkedComponent.MaxListed), result.LinkedComponents.Select(l => l.Component));
        Assert.All(result.LinkedComponents, l => Assert.Equal(longTarget[..LinkedComponent.MaxChars] + "…", l.Target));
        // The index keeps the whole target: only the note is cut.
        Assert.All(result.Entries, e => Assert.Equal(longTarget, e.LinkTarget));
    }
}
