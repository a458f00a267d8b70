using System.Diagnostics;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>The walk through handles: what it does when the site changes under it, and what it holds open.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HandleSiteWalkTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    private void Write(string relative, string content)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [Fact]
    public void Linux_walks_through_handles()
    {
        Assert.True(SiteWalker.UsesHandles);
    }

    /// <summary>The path walk (kept for Windows) lists what the handle walk lists, so the fallback does not drift.</summary>
    [Fact]
    public void The_path_walk_lists_the_same_entries_as_the_handle_walk()
    {
        Write("uploads/b/z.txt", "zz");
        Write("uploads/a.txt", "a");
        Write("uploads/.htaccess", "deny");
        Write("wp-config.php", "<?php");
        Directory.CreateDirectory(Path.Combine(Site, "uploads", "empty"));
        File.CreateSymbolicLink(Path.Combine(Site, "uploads", "link"), "b/z.txt");
        File.SetUnixFileMode(Path.Combine(Site, "wp-config.php"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        List<string> components = ["uploads", "wp-config.php", "missing"];

        static string Describe(SiteWalker.Entry e) =>
            $"{e.Name} {e.Kind} {(e.Kind == SiteWalker.Kind.SymbolicLink ? "-" : e.Mode.ToString())} {e.ModifiedAt:O} {e.Size} {e.LinkTarget}";
        var byHandles = HandleSiteWalk.Walk(Site, components, openFiles: false, _ => { }).Select(Describe).ToList();
        var byPaths = PathSiteWalk.Walk(Site, components, openFiles: false, _ => { }).Select(Describe).ToList();

        Assert.Equal(8, byHandles.Count);
        Assert.Equal(byPaths, byHandles);
    }

    /// <summary>
    /// A component below a folder ("wp-content/uploads") where the site made that folder a link to somewhere else:
    /// the link is not followed to reach the component (the path walk followed it and archived what is there).
    /// </summary>
    [Fact]
    public async Task A_component_below_a_folder_that_is_a_link_is_not_followed()
    {
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(Path.Combine(outside, "uploads"));
        File.WriteAllText(Path.Combine(outside, "uploads", "secret.txt"), "not the site's");
        Write("themes/style.css", "body{}");
        Directory.CreateSymbolicLink(Path.Combine(Site, "wp-content"), outside);
        using var tar = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ["wp-content/uploads", "themes"], TarBuilder.Volume, tar, null, CancellationToken.None);

        Assert.Equal(["themes", "themes/style.css"], result.Entries.Select(e => e.Path));
        Assert.Equal(new SiteScan(1, 1, 6), SiteArchiver.Scan(Site, ["wp-content/uploads", "themes"]));
    }

    [Fact]
    public async Task A_component_below_a_real_folder_is_archived()
    {
        Write("wp-content/uploads/a.txt", "a");
        using var tar = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ["wp-content/uploads"], TarBuilder.Volume, tar, null, CancellationToken.None);

        Assert.Equal(["wp-content/uploads", "wp-content/uploads/a.txt"], result.Entries.Select(e => e.Path));
    }

    /// <summary>
    /// A file replaced by another one (a CMS writing a cache file to a temporary name and renaming it over the old one)
    /// after its folder was listed and before its turn: the new one is archived, as it is when opened.
    /// </summary>
    [Fact]
    public async Task A_file_replaced_by_a_rename_after_the_listing_is_archived_as_opened()
    {
        Write("uploads/a.txt", "first");
        Write("uploads/b.txt", "old content");
        Write("staging/b.txt", "new content, longer");
        var progress = new OnFirstReport(() => File.Move(Path.Combine(Site, "staging/b.txt"), Path.Combine(Site, "uploads/b.txt"), overwrite: true));
        using var tar = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ["uploads"], TarBuilder.Volume, tar, progress, CancellationToken.None);

        var b = Assert.Single(result.Entries, e => e.Path == "uploads/b.txt");
        Assert.Equal("new content, longer".Length, b.Size);
        tar.Position = 0;
        var target = _temp.Combine("restored");
        await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, target, result.Entries, null, CancellationToken.None);
        Assert.Equal("new content, longer", File.ReadAllText(Path.Combine(target, "uploads/b.txt")));
    }

    /// <summary>A file turned into a FIFO after the listing is skipped (and does not block the walk).</summary>
    [Fact]
    public async Task A_file_that_became_a_fifo_after_the_listing_is_skipped_without_blocking()
    {
        Write("uploads/a.txt", "first");
        Write("uploads/b.txt", "will be a pipe");
        var progress = new OnFirstReport(() =>
        {
            File.Delete(Path.Combine(Site, "uploads/b.txt"));
            using var mkfifo = Process.Start("mkfifo", Path.Combine(Site, "uploads/b.txt"));
            mkfifo.WaitForExit();
        });
        using var tar = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ["uploads"], TarBuilder.Volume, tar, progress, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(["uploads", "uploads/a.txt"], result.Entries.Select(e => e.Path));
    }

    [Fact]
    public async Task A_name_that_is_not_utf8_fails_the_archive_saying_so()
    {
        Write("uploads/a.txt", "a");
        using (var touch = Process.Start("bash", ["-c", "touch \"$1/$(printf 'caf\\351.txt')\"", "_", Path.Combine(Site, "uploads")]))
        {
            await touch.WaitForExitAsync();
            Assert.Equal(0, touch.ExitCode);
        }

        try
        {
            var error = await Assert.ThrowsAsync<IOException>(
                () => SiteArchiver.WriteAsync(Site, ["uploads"], TarBuilder.Volume, Stream.Null, null, CancellationToken.None));

            Assert.Contains("uploads: a name in this folder is not valid UTF-8 (caf", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            // .NET cannot name that file to delete it.
            using var rm = Process.Start("rm", ["-rf", Site]);
            await rm.WaitForExitAsync();
        }
    }

    /// <summary>However big the site, the walk holds one folder handle per level it is in, and one file.</summary>
    [Fact]
    public void The_walk_holds_one_handle_per_depth_level_however_many_files()
    {
        for (var i = 0; i < 400; i++)
            Write($"uploads/{i % 4}/{i % 3}/{i % 5}/f{i}.txt", "x");
        var most = 0;
        var files = 0;

        foreach (var entry in SiteWalker.Walk(Site, ["uploads"], openFiles: true))
        {
            most = Math.Max(most, HandlesInSite());
            if (entry.Kind == SiteWalker.Kind.File)
            {
                Assert.NotNull(entry.Content);
                files++;
            }
        }

        Assert.Equal(400, files);
        // root + uploads + three levels of folders + the open file
        Assert.Equal(6, most);
        Assert.Equal(0, HandlesInSite());
    }

    /// <summary>This process's open handles on the site (other tests run in parallel and open their own).</summary>
    private int HandlesInSite()
    {
        var count = 0;
        foreach (var fd in Directory.GetFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && (target == Site || target.StartsWith(Site + "/", StringComparison.Ordinal)))
                    count++;
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }
        return count;
    }

    /// <summary>Runs an action on the archiver's thread after its first entry (the component's folder is listed by then).</summary>
    private sealed class OnFirstReport(Action action) : IProgress<ArchiveProgress>
    {
        private bool _done;

        public void Report(ArchiveProgress value)
        {
            if (_done || value.Files == 0)
                return;
            _done = true;
            action();
        }
    }
}
