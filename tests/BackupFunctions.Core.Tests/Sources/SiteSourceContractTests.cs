using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Configs;
using BackupFunctions.Core.Keys;
using BackupFunctions.Core.Network;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Storage;
using BackupFunctions.Core.Tests.Support;
using Microsoft.Extensions.Options;

namespace BackupFunctions.Core.Tests.Sources;

/// <summary>
/// What every <see cref="ISiteSource"/> promises, run against each kind of source on its real server: the same site
/// (built from one local folder) gives the same walk — paths, types, sizes, order — as the local source, files read
/// back as they are, a file gone since the listing is null, a component below a link is named and not walked, and
/// names that are hard on parsers and URLs come through unchanged.
/// </summary>
/// <remarks>
/// To run it against another source, subclass it and implement <see cref="CreateSiteAsync"/> (copy a local folder's
/// content into a fresh site of that source and open it) and <see cref="RemoveAsync"/>; say what the source cannot
/// hold with <see cref="HoldsLinks"/> and <see cref="HoldsEmptyFolders"/>.
/// </remarks>
public abstract class SiteSourceContractTests : IDisposable
{
    private readonly TempFolder _local = new("bf-sitecontract-");

    protected static readonly IReadOnlyList<string> Components = ["themes", "uploads"];

    /// <summary>Names that trip URL encoding, shells and parsers; each a file under themes/.</summary>
    public static readonly IReadOnlyList<string> HostileNames =
        ["a b", "ünïcødé-名前.txt", "%2e%2e", "..dots", "-rf", "quote'\"", "x#y?z&w=1", "plus+sign", "semi;colon"];

    /// <summary>Whether the source stores symbolic links (Blob Storage does not).</summary>
    protected virtual bool HoldsLinks => true;

    /// <summary>Whether the source stores a folder without files (Blob Storage does not: folders are implied by names).</summary>
    protected virtual bool HoldsEmptyFolders => true;

    /// <summary>Whether modes come through (Blob Storage has none: every file is 0644, every folder 0755).</summary>
    protected virtual bool KeepsModes => true;

    /// <summary>A new site of this source holding a copy of <paramref name="localFolder"/>'s content, opened for <paramref name="components"/>.</summary>
    protected abstract Task<ISiteSource> CreateSiteAsync(string localFolder, IReadOnlyList<string> components);

    /// <summary>Removes one file (site path) from the site made last.</summary>
    protected abstract Task RemoveAsync(string path);

    /// <summary>A <see cref="SiteSources"/> allowing <paramref name="allowedRoot"/>, loopback hosts and the given secrets.</summary>
    protected static SiteSources Factory(string allowedRoot, params (string Key, string Value)[] secrets) =>
        new(new SiteRoots(Options.Create(new FilesOptions { AllowedRoots = allowedRoot }), Options.Create(new StorageOptions { LocalRoot = "" }),
            Options.Create(new KeyOptions { LocalKeyFile = "" })), NetworkPolicy.InternalAllowed, TestSecretReferences.With(secrets));

    public void Dispose()
    {
        _local.Dispose();
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>The local folder every test builds its site in (then copied into the source).</summary>
    protected string Local => _local.Path;

    /// <summary>A site with nested folders, order traps (2024, 2024-x, 2024.txt), an empty file, a bigger file, hostile names and, where the source holds them, links and an empty folder.</summary>
    protected void BuildSite()
    {
        Write("uploads/2024/01/photo.jpg", Bytes(300_000, 1));
        Write("uploads/2024/a.txt", "a"u8.ToArray());
        Write("uploads/2024-x/b.txt", "bb"u8.ToArray());
        Write("uploads/2024.txt", "ccc"u8.ToArray());
        Write("uploads/empty.txt", []);
        Write("themes/theme/style.css", "body { color: red }"u8.ToArray());
        Write("themes/theme/functions.php", "<?php echo 1;"u8.ToArray());
        foreach (var name in HostileNames)
            Write("themes/" + name, System.Text.Encoding.UTF8.GetBytes(name));
        if (HoldsLinks)
        {
            File.CreateSymbolicLink(Path.Combine(Local, "themes", "current"), "theme/style.css");
            File.CreateSymbolicLink(Path.Combine(Local, "themes", "escape"), "/etc/passwd");
        }
        if (HoldsEmptyFolders)
            Directory.CreateDirectory(Path.Combine(Local, "uploads", "empty-folder"));
    }

    protected void Write(string path, byte[] content)
    {
        var full = Path.Combine(Local, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllBytes(full, content);
    }

    protected static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static List<(string Path, string Type, long Size, string? Link)> Shape(IEnumerable<SiteEntry> walk) =>
        [.. walk.Select(e => (e.Path, e.Type, e.Size, e.LinkTarget))];

    [Fact]
    public async Task The_same_site_gives_the_same_walk_as_the_local_source()
    {
        BuildSite();
        var expected = SiteSources.Local(Local, Components).Walk(_ => { }).ToList();
        var source = await CreateSiteAsync(Local, Components);
        using var _ = source as IDisposable;
        var skipped = new List<FileChange>();

        var walk = source.Walk(skipped.Add).ToList();

        Assert.Empty(skipped);
        Assert.Equal(Shape(expected), Shape(walk));
        Assert.Equal(Components, source.Components);
        if (KeepsModes)
            Assert.Equal(expected.Select(e => (e.Path, e.Mode)), walk.Select(e => (e.Path, e.Mode)));
        Assert.All(walk.Where(e => e.Type == FileIndexEntry.FileType), e => Assert.True(e.ModifiedAt > DateTimeOffset.UnixEpoch, e.Path));
    }

    [Fact]
    public async Task Files_read_back_as_they_are()
    {
        BuildSite();
        var source = await CreateSiteAsync(Local, Components);
        using var _ = source as IDisposable;

        var files = source.Walk(_ => { }).Where(e => e.Type == FileIndexEntry.FileType).ToList();

        Assert.Equal(7 + HostileNames.Count, files.Count);
        foreach (var entry in files)
        {
            using var file = source.OpenFile(entry.Path);
            Assert.NotNull(file);
            Assert.Equal(entry.Size, file.Length);
            using var content = new MemoryStream();
            using var read = file.OpenRead();
            await read.CopyToAsync(content);
            // As the archiver does: the state after reading, then the file disposed (which closes its stream).
            Assert.Equal(entry.Size, file.CurrentState().Length);
            Assert.Equal(File.ReadAllBytes(Path.Combine(Local, entry.Path)), content.ToArray());
        }
    }

    [Fact]
    public async Task A_file_gone_since_the_listing_opens_as_null()
    {
        BuildSite();
        var source = await CreateSiteAsync(Local, Components);
        using var _ = source as IDisposable;
        Assert.Contains(source.Walk(_ => { }), e => e.Path == "uploads/2024/a.txt");

        await RemoveAsync("uploads/2024/a.txt");

        Assert.Null(source.OpenFile("uploads/2024/a.txt"));
        Assert.Null(source.OpenFile("uploads/never-was.txt"));
        Assert.DoesNotContain(source.Walk(_ => { }), e => e.Path == "uploads/2024/a.txt");
    }

    [Fact]
    public async Task A_component_below_a_link_is_named_and_not_walked()
    {
        Write("real-wp/uploads/x.txt", "x"u8.ToArray());
        if (HoldsLinks)
            File.CreateSymbolicLink(Path.Combine(Local, "wp-content"), "real-wp");
        else
            Write("wp-content/uploads/x.txt", "x"u8.ToArray()); // no links here: a nested component is walked like any other
        var source = await CreateSiteAsync(Local, ["wp-content/uploads"]);
        using var _ = source as IDisposable;

        var walk = source.Walk(_ => { }).ToList();
        var below = source.ComponentsBelowLinks().ToList();

        if (HoldsLinks)
        {
            Assert.Empty(walk);
            Assert.Equal([new LinkedComponent("wp-content/uploads", "real-wp/uploads")], below);
        }
        else
        {
            Assert.Equal(["wp-content/uploads", "wp-content/uploads/x.txt"], walk.Select(e => e.Path));
            Assert.Empty(below);
        }
    }

    [Fact]
    public async Task Links_are_listed_with_their_target_and_never_followed()
    {
        BuildSite();
        var source = await CreateSiteAsync(Local, Components);
        using var _ = source as IDisposable;

        var links = source.Walk(_ => { }).Where(e => e.Type == FileIndexEntry.SymbolicLinkType).ToList();

        if (!HoldsLinks)
        {
            Assert.Empty(links);
            Assert.Null(source.ReadLink("themes/theme/style.css"));
            return;
        }
        Assert.Equal([("themes/current", "theme/style.css"), ("themes/escape", "/etc/passwd")], links.Select(l => (l.Path, l.LinkTarget!)));
        Assert.Equal("/etc/passwd", source.ReadLink("themes/escape"));
        // A link is no file: opening it gives nothing, whatever it points to.
        Assert.Null(source.OpenFile("themes/escape"));
        Assert.Null(source.OpenFile("themes/current"));
    }

    [Fact]
    public async Task Hostile_names_come_through_unchanged()
    {
        foreach (var name in HostileNames)
            Write("themes/" + name, System.Text.Encoding.UTF8.GetBytes(name));
        var source = await CreateSiteAsync(Local, ["themes"]);
        using var _ = source as IDisposable;

        var names = source.Walk(_ => { }).Where(e => e.Type == FileIndexEntry.FileType).Select(e => e.Path["themes/".Length..]).ToList();

        Assert.Equal(HostileNames.Order(StringComparer.Ordinal), names);
        foreach (var name in HostileNames)
        {
            using var file = source.OpenFile("themes/" + name);
            Assert.NotNull(file);
            using var reader = new StreamReader(file.OpenRead());
            Assert.Equal(name, await reader.ReadToEndAsync());
        }
    }
}
