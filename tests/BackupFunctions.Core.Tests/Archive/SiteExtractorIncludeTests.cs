using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>Extraction of a selection of files (backupctl restore --include).</summary>
public sealed class SiteExtractorIncludeTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Only_selected_entries_and_the_folders_above_them_are_written()
    {
        var tar = new TarBuilder()
            .Directory("uploads").Directory("uploads/2024").File("uploads/2024/a.jpg", [1, 2, 3]).File("uploads/b.txt", [4])
            .Directory("themes").File("themes/style.css", [5, 6]);
        var target = _folder.Combine("target");

        var done = await SiteExtractor.ExtractAsync(
            tar.Build(), TarBuilder.Volume, target, tar.Index, path => path.StartsWith("uploads/2024/", StringComparison.Ordinal), null, default);

        Assert.Equal(1, done.Files);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(target, "uploads", "2024", "a.jpg")));
        Assert.False(File.Exists(Path.Combine(target, "uploads", "b.txt")));
        Assert.False(Directory.Exists(Path.Combine(target, "themes")));
        Assert.Equal(["uploads"], Directory.GetFileSystemEntries(target).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Skipped_entries_are_still_checked_against_the_index()
    {
        var tar = new TarBuilder().File("keep.txt", [1]).File("skip.txt", [2]);
        var index = tar.Index.Where(e => e.Path != "skip.txt").ToList();

        var ex = await Assert.ThrowsAsync<IntegrityException>(() => SiteExtractor.ExtractAsync(
            tar.Build(), TarBuilder.Volume, _folder.Combine("target"), index, path => path == "keep.txt", null, default));

        Assert.Contains("skip.txt", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("target")));
    }

    [Fact]
    public async Task A_link_above_a_selected_entry_is_selected_too_so_the_link_rules_still_apply()
    {
        var tar = new TarBuilder().Link("uploads", "..").File("uploads/passwd", [1]);

        var ex = await Assert.ThrowsAsync<IntegrityException>(() => SiteExtractor.ExtractAsync(
            tar.Build(), TarBuilder.Volume, _folder.Combine("target"), tar.Index, path => path == "uploads/passwd", null, default));

        Assert.Contains("below the symbolic link", ex.Message, StringComparison.Ordinal);
    }
}
