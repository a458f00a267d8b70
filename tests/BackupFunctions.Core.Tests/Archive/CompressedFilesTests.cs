using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// The planner's choice of files stored as they are (<see cref="CompressedFiles"/>): big files by a sample read through
/// the site source, small ones by their extension without any read; folders, links and empty files never.
/// </summary>
public sealed class CompressedFilesTests : IDisposable
{
    private readonly TempFolder _site = new();

    public void Dispose() => _site.Dispose();

    [Fact]
    public void Big_files_are_judged_by_a_sample_read_through_the_source_small_ones_by_extension_without_a_read()
    {
        var big = (int)CompressedFiles.SampleFromBytes;
        Write("u/photo.jpg", [0xFF, 0xD8, 0xFF, 0xE0, .. RandomNumberGenerator.GetBytes(big)]);
        Write("u/3f9a0c1e7d", RandomNumberGenerator.GetBytes(big));                                      // no extension, random
        Write("u/notes.jpg", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("text, not a picture\n", big / 10))));
        Write("u/page.html", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("<p>hello</p>\n", big / 5))));
        Write("u/thumb.jpg", Encoding.UTF8.GetBytes("small: the name decides"));
        Write("u/small-random", RandomNumberGenerator.GetBytes(1000));
        Write("u/empty.png", []);
        File.CreateSymbolicLink(Path.Combine(_site.Path, "u", "link.zip"), "photo.jpg");
        var source = new CountingSource(new LocalSiteSource(_site.Path, ["u"]));

        var separate = CompressedFiles.Separator(source);
        var chosen = source.Walk(_ => { }).Where(separate).Select(e => e.Path).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["u/3f9a0c1e7d", "u/photo.jpg", "u/thumb.jpg"], chosen);
        // Only the files of at least SampleFromBytes were opened, once each, and never through the file system directly.
        Assert.Equal(["u/3f9a0c1e7d", "u/notes.jpg", "u/page.html", "u/photo.jpg"], source.Opened.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_big_file_gone_before_its_sample_is_judged_by_its_extension()
    {
        Write("u/video.mp4", Encoding.UTF8.GetBytes(new string('x', (int)CompressedFiles.SampleFromBytes)));
        Write("u/log.txt", RandomNumberGenerator.GetBytes((int)CompressedFiles.SampleFromBytes));
        var source = new LocalSiteSource(_site.Path, ["u"]);
        var entries = source.Walk(_ => { }).Where(e => e.Type == FileIndexEntry.FileType).ToList();
        File.Delete(Path.Combine(_site.Path, "u", "video.mp4"));
        File.Delete(Path.Combine(_site.Path, "u", "log.txt"));

        Assert.True(CompressedFiles.IsCompressed(source, entries.Single(e => e.Path == "u/video.mp4")));
        Assert.False(CompressedFiles.IsCompressed(source, entries.Single(e => e.Path == "u/log.txt")));
    }

    private void Write(string relative, byte[] content)
    {
        var path = Path.Combine(_site.Path, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
    }

    /// <summary>A source that records which files were opened.</summary>
    private sealed class CountingSource(ISiteSource inner) : ISiteSource
    {
        public List<string> Opened { get; } = [];

        public IReadOnlyList<string> Components => inner.Components;

        public IEnumerable<SiteEntry> Walk(Action<FileChange> skipped) => inner.Walk(skipped);

        public SiteFile? OpenFile(string path)
        {
            Opened.Add(path);
            return inner.OpenFile(path);
        }

        public string? ReadLink(string path) => inner.ReadLink(path);

        public IEnumerable<LinkedComponent> ComponentsBelowLinks() => inner.ComponentsBelowLinks();
    }
}
