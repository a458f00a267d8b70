using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// Symbolic links whose target is absolute or leads out of the restored folder: the site had them, so they are restored
/// exactly as stored and named in the result; nothing outside the restored folder is written, chmod'ed or time-stamped
/// through them. (A restore used to refuse the whole backup for one such link.)
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SiteExtractorOutsideLinkTests : IDisposable
{
    private static readonly DateTime LongAgo = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp.Combine("restore", "site");

    private async Task<SiteExtraction> RestoreAsync(TarBuilder builder)
    {
        using var tar = builder.Build();
        var extraction = SiteExtraction.Begin(Target);
        await extraction.AddVolumeAsync(tar, TarBuilder.Volume, builder.Index, null, CancellationToken.None);
        extraction.Complete();
        return extraction;
    }

    [Fact]
    public async Task Absolute_links_are_restored_as_they_were_named_and_what_they_point_to_is_left_alone()
    {
        var outside = OutsideFolder(out var owned);
        var before = OutsideLinkTestSupport.Snapshot(outside);

        using var extraction = await RestoreAsync(new TarBuilder()
            .Directory("uploads")
            .Link("uploads/abs-link", "/etc/hostname")
            .Link("uploads/owned", owned)
            .File("uploads/photo.jpg", "jpeg"u8.ToArray())
            .Link("volume", outside));

        Assert.Equal("/etc/hostname", new FileInfo(Path.Combine(Target, "uploads", "abs-link")).LinkTarget);
        Assert.Equal(owned, new FileInfo(Path.Combine(Target, "uploads", "owned")).LinkTarget);
        Assert.Equal(outside, new DirectoryInfo(Path.Combine(Target, "volume")).LinkTarget);
        Assert.Equal("jpeg", File.ReadAllText(Path.Combine(Target, "uploads", "photo.jpg")));
        Assert.Equal(
            [
                new OutsideLink("uploads/abs-link", "/etc/hostname", OutsideLink.Absolute),
                new OutsideLink("uploads/owned", owned, OutsideLink.Absolute),
                new OutsideLink("volume", outside, OutsideLink.Absolute),
            ],
            extraction.OutsideLinks);
        Assert.Equal(3, extraction.OutsideLinkCount);
        Assert.Equal(before, OutsideLinkTestSupport.Snapshot(outside));
    }

    [Fact]
    public async Task Relative_links_that_leave_directly_or_through_other_links_are_restored_and_named_with_why()
    {
        using var extraction = await RestoreAsync(new TarBuilder()
            .Directory("themes")
            .Link("themes/current", "../uploads")
            .Link("themes/escape", "../../../etc")
            // Textually "b/.." is the root itself, but b is the root, so b/.. is its parent.
            .Link("b", ".")
            .Link("a", "b/..")
            .Link("x", "y")
            .Link("y", "x")
            .Directory("uploads"));

        Assert.Equal("../../../etc", new FileInfo(Path.Combine(Target, "themes", "escape")).LinkTarget);
        Assert.Equal("b/..", new FileInfo(Path.Combine(Target, "a")).LinkTarget);
        Assert.Equal("y", new FileInfo(Path.Combine(Target, "x")).LinkTarget);
        // Archive order; the link that stays inside (themes/current) is not named.
        Assert.Equal(
            [
                new OutsideLink("themes/escape", "../../../etc", OutsideLink.Outside),
                new OutsideLink("a", "b/..", OutsideLink.Outside),
                new OutsideLink("x", "y", OutsideLink.Loop),
                new OutsideLink("y", "x", OutsideLink.Loop),
            ],
            extraction.OutsideLinks);
        Assert.Equal("../uploads", new FileInfo(Path.Combine(Target, "themes", "current")).LinkTarget);
    }

    [Fact]
    public async Task A_relative_link_through_an_absolute_one_leaves_the_folder_too()
    {
        using var extraction = await RestoreAsync(new TarBuilder().Link("media", "/srv/media").Link("latest", "media/2024"));

        Assert.Equal(
            [new OutsideLink("media", "/srv/media", OutsideLink.Absolute), new OutsideLink("latest", "media/2024", OutsideLink.Outside)],
            extraction.OutsideLinks);
    }

    [Fact]
    public async Task Every_outside_link_is_restored_and_counted_but_only_the_first_are_listed()
    {
        var builder = new TarBuilder();
        var names = Enumerable.Range(0, OutsideLink.MaxListed + 5).Select(i => $"l{i:D2}").ToList();
        foreach (var name in names)
            builder.Link(name, "/srv/" + name);

        using var extraction = await RestoreAsync(builder);

        Assert.Equal(names.Count, extraction.OutsideLinkCount);
        Assert.Equal(names.Take(OutsideLink.MaxListed), extraction.OutsideLinks.Select(l => l.Path));
        Assert.All(names, name => Assert.Equal("/srv/" + name, new FileInfo(Path.Combine(Target, name)).LinkTarget));
    }

    [Fact]
    public async Task Links_that_stay_inside_are_not_named()
    {
        using var extraction = await RestoreAsync(new TarBuilder().Directory("a").File("a/x", [1]).Link("b", "a/x").Link("c", "b"));

        Assert.Empty(extraction.OutsideLinks);
        Assert.Equal(0, extraction.OutsideLinkCount);
        Assert.Equal([1], File.ReadAllBytes(Path.Combine(Target, "c")));
    }

    [Fact]
    public async Task The_folders_modes_and_times_are_set_on_the_restored_folders_not_through_a_link()
    {
        var outside = OutsideFolder(out _);
        var before = OutsideLinkTestSupport.Snapshot(outside);

        using var extraction = await RestoreAsync(new TarBuilder().Directory("d").File("d/f", [1]).Link("d/out", outside).Link("d/up", ".."));

        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(Target, "d")));
        Assert.Equal(before, OutsideLinkTestSupport.Snapshot(outside));
    }

    /// <summary>A folder beside the restore with one file, both with a distinctive mode and an old time.</summary>
    private string OutsideFolder(out string file)
    {
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        file = Path.Combine(outside, "owned.txt");
        File.WriteAllText(file, "not the site's");
        File.SetUnixFileMode(file, (UnixFileMode)0b110_100_000);
        File.SetLastWriteTimeUtc(file, LongAgo);
        File.SetUnixFileMode(outside, (UnixFileMode)0b111_101_000);
        Directory.SetLastWriteTimeUtc(outside, LongAgo);
        return outside;
    }
}
