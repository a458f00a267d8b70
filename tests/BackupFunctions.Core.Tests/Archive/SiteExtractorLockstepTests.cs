using System.Formats.Tar;
using System.IO.Pipelines;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>The index is read in step with the tar: mismatches anywhere are refused, and nothing grows with the file count.</summary>
public sealed class SiteExtractorLockstepTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp.Combine("restore", "site");

    private async Task<IntegrityException> RefusedAsync(TarBuilder builder, IReadOnlyList<FileIndexEntry> index, Func<string, bool>? include = null)
    {
        using var tar = builder.Build();
        var error = await Assert.ThrowsAsync<IntegrityException>(
            () => SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, Target, Streamed(index), include, null, CancellationToken.None));
        Assert.Equal(TarBuilder.Volume, error.ObjectName);
        Assert.False(Directory.Exists(Target), "the target must not appear");
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("restore")));
        return error;
    }

    /// <summary>The index as a restore reads it: serialized, then one line at a time.</summary>
    private static async IAsyncEnumerable<FileIndexEntry> Streamed(IEnumerable<FileIndexEntry> entries)
    {
        var stream = new MemoryStream();
        await FileIndex.WriteAsync(entries, stream, CancellationToken.None);
        stream.Position = 0;
        await foreach (var entry in FileIndex.ReadEntriesAsync(stream, CancellationToken.None))
            yield return entry;
    }

    [Fact]
    public async Task An_index_entry_missing_from_the_middle_of_the_archive_is_refused_naming_it()
    {
        var builder = new TarBuilder().File("a.txt", [1]).File("c.txt", [3]);
        var gone = builder.Index[0] with { Path = "b.txt" };

        var error = await RefusedAsync(builder, [builder.Index[0], gone, builder.Index[1]]);

        Assert.Equal(
            $"{TarBuilder.Volume}: c.txt: in the archive where the index lists b.txt (an entry missing from the archive, not in the index, or out of order)",
            error.Message);
    }

    [Fact]
    public async Task An_archive_entry_missing_from_the_middle_of_the_index_is_refused_naming_it()
    {
        var builder = new TarBuilder().Directory("uploads").File("uploads/a.jpg", [1]).File("uploads/shell.php", [2]).File("uploads/z.jpg", [3]);

        var error = await RefusedAsync(builder, [.. builder.Index.Where(e => e.Path != "uploads/shell.php")]);

        Assert.Contains("uploads/shell.php: in the archive where the index lists uploads/z.jpg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entries_in_another_order_than_the_index_are_refused()
    {
        var builder = new TarBuilder().Directory("d").File("d/a", [1]).File("d/b", [2]);
        var index = builder.Index;

        var error = await RefusedAsync(builder, [index[0], index[2], index[1]]);

        Assert.Contains("d/a: in the archive where the index lists d/b", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_whose_children_are_not_in_ordinal_order_is_refused_even_when_the_index_agrees()
    {
        var builder = new TarBuilder().Directory("d").File("d/b", [2]).File("d/a", [1]);

        var error = await RefusedAsync(builder, builder.Index);

        Assert.Equal($"{TarBuilder.Volume}: d/a: out of order in the archive (after d/b)", error.Message);
    }

    [Fact]
    public async Task A_path_repeated_inside_a_folder_is_refused_even_when_the_index_repeats_it_too()
    {
        // Not written (the filter skips it), so only the order check can see the repeat.
        var builder = new TarBuilder().Directory("d").File("d/a", [1]).File("d/b", [2]).File("d/a", [1]);

        var error = await RefusedAsync(builder, builder.Index, include: path => path == "d/b");

        Assert.Equal($"{TarBuilder.Volume}: d/a: out of order in the archive (after d/b)", error.Message);
    }

    [Fact]
    public async Task A_repeated_file_that_would_be_written_twice_is_refused()
    {
        // Two components make the repeat invisible to the order check; the staging folder is what catches it.
        var builder = new TarBuilder().File("a.php", [1]).File("b.php", [2]).File("a.php", [3]);

        var error = await RefusedAsync(builder, builder.Index);

        Assert.Equal($"{TarBuilder.Volume}: a.php: appears twice in the archives", error.Message);
    }

    [Fact]
    public async Task A_path_listed_twice_in_a_row_in_the_index_is_refused()
    {
        var builder = new TarBuilder().File("a.txt", [1]).File("b.txt", [2]);

        var error = await RefusedAsync(builder, [builder.Index[0], builder.Index[0], builder.Index[1]]);

        Assert.Equal($"{TarBuilder.Volume}: a.txt: listed twice in the index", error.Message);
    }

    [Fact]
    public async Task A_link_target_different_from_the_index_is_refused_even_when_the_link_is_not_written()
    {
        var builder = new TarBuilder().Link("current", "default").File("x", [1]);
        var index = builder.Index.Select(e => e.Path == "current" ? e with { LinkTarget = "other" } : e).ToList();

        var error = await RefusedAsync(builder, index, include: path => path == "x");

        Assert.Contains("current: symbolic link target differs from the index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_include_filter_writes_nested_parents_with_their_modes_and_times_and_nothing_else()
    {
        var builder = new TarBuilder()
            .Directory("a").Directory("a/b").Directory("a/b/c").File("a/b/c/x.txt", [1]).File("a/b/y.txt", [2])
            .Directory("a/b/z").File("a/b/z/w.txt", [3])
            .Directory("a/d").Directory("a/d/e").File("a/d/e/v.txt", [4])
            .Directory("a/f").File("a/f/u.txt", [5])
            .File("top.txt", [6]);
        using var tar = builder.Build();
        var archivedBy = DateTime.UtcNow;
        await Task.Delay(50);
        string[] wanted = ["a/b/c/x.txt", "a/d/e/v.txt"];

        var done = await SiteExtractor.ExtractAsync(
            tar, TarBuilder.Volume, Target, Streamed(builder.Index), path => wanted.Contains(path), null, CancellationToken.None);

        Assert.Equal(new ArchiveProgress(2, 2), done);
        var restored = Directory.EnumerateFileSystemEntries(Target, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(Target, p).Replace('\\', '/')).Order(StringComparer.Ordinal);
        Assert.Equal(["a", "a/b", "a/b/c", "a/b/c/x.txt", "a/d", "a/d/e", "a/d/e/v.txt"], restored);
        foreach (var folder in new[] { "a", "a/b", "a/b/c", "a/d", "a/d/e" })
        {
            // The archived time (TarBuilder's folders are 0755, dated when built), set after their content was written.
            Assert.True(Directory.GetLastWriteTimeUtc(Path.Combine(Target, folder)) <= archivedBy, folder);
            if (!OperatingSystem.IsWindows())
                Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(Target, folder)));
        }
    }

    [Fact]
    public async Task A_selected_folder_is_written_even_when_nothing_below_it_is()
    {
        var builder = new TarBuilder().Directory("cache").Directory("uploads").File("uploads/a", [1]);
        using var tar = builder.Build();

        await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, Target, Streamed(builder.Index), path => path == "cache", null, CancellationToken.None);

        Assert.Equal(["cache"], Directory.GetFileSystemEntries(Target).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Entries_of_other_volumes_between_this_volumes_entries_are_skipped()
    {
        var builder = new TarBuilder().File("a", [1]).File("b", [2]);
        using var tar = builder.Build();
        var other = builder.Index[0] with { Path = "elsewhere", Volume = "files-00002.part" };

        var done = await SiteExtractor.ExtractAsync(
            tar, TarBuilder.Volume, Target, Streamed([other, builder.Index[0], other, builder.Index[1], other]), null, null, CancellationToken.None);

        Assert.Equal(new ArchiveProgress(2, 2), done);
    }

    /// <summary>
    /// The memory claim, structurally: 30,000 files in 30 folders are restored while the extraction holds one record per
    /// folder and the index is never read more than one entry ahead of the tar.
    /// </summary>
    [Fact]
    public async Task Restoring_many_files_retains_only_the_folders_and_reads_the_index_one_entry_at_a_time()
    {
        const int folders = 30;
        const int filesPerFolder = 1000;
        var index = new CountingIndex(GeneratedIndex(folders, filesPerFolder));
        var pipe = new Pipe();
        var producer = WriteGeneratedTarAsync(pipe.Writer, folders, filesPerFolder);
        var progress = new LeadProbe(index);

        using var extraction = SiteExtraction.Begin(Target);
        await using (var tar = pipe.Reader.AsStream())
        {
            var done = await extraction.AddVolumeAsync(tar, TarBuilder.Volume, index, include: null, progress, CancellationToken.None);
            Assert.Equal(new ArchiveProgress(folders * filesPerFolder, folders * filesPerFolder * 8L), done);
        }

        await producer;
        Assert.Equal(1 + folders, extraction.RetainedEntries);
        Assert.Equal(1 + folders + folders * filesPerFolder, index.Yielded);
        Assert.Equal(1 + folders + folders * filesPerFolder, progress.Reports);
        Assert.InRange(progress.MaxLead, 0, 1);
        extraction.Complete();
        Assert.Equal(filesPerFolder, Directory.GetFiles(Path.Combine(Target, "site", "f017")).Length);
    }

    private static byte[] Content(int folder, int file) => BitConverter.GetBytes(((long)folder << 32) | (uint)file);

    private static string FilePath(int folder, int file) => $"site/f{folder:D3}/{file:D5}.txt";

    private static async IAsyncEnumerable<FileIndexEntry> GeneratedIndex(int folders, int filesPerFolder)
    {
        await Task.Yield();
        yield return new FileIndexEntry("site", FileIndexEntry.DirectoryType, 0, DateTimeOffset.UnixEpoch, 0b111_101_101, null, TarBuilder.Volume);
        for (var folder = 0; folder < folders; folder++)
        {
            yield return new FileIndexEntry($"site/f{folder:D3}", FileIndexEntry.DirectoryType, 0, DateTimeOffset.UnixEpoch, 0b111_101_101, null, TarBuilder.Volume);
            for (var file = 0; file < filesPerFolder; file++)
            {
                var content = Content(folder, file);
                yield return new FileIndexEntry(
                    FilePath(folder, file), FileIndexEntry.FileType, content.Length, DateTimeOffset.UnixEpoch, 0b110_100_100,
                    Convert.ToHexStringLower(SHA256.HashData(content)), TarBuilder.Volume);
            }
        }
    }

    private static Task WriteGeneratedTarAsync(PipeWriter output, int folders, int filesPerFolder) => Task.Run(async () =>
    {
        await using (var stream = output.AsStream())
        await using (var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true))
        {
            await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.Directory, "site/") { Mode = (UnixFileMode)0b111_101_101 });
            for (var folder = 0; folder < folders; folder++)
            {
                await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.Directory, $"site/f{folder:D3}/") { Mode = (UnixFileMode)0b111_101_101 });
                for (var file = 0; file < filesPerFolder; file++)
                {
                    await writer.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, FilePath(folder, file))
                    {
                        Mode = (UnixFileMode)0b110_100_100,
                        DataStream = new MemoryStream(Content(folder, file)),
                    });
                }
            }
        }
    });

    /// <summary>Counts the index entries handed out.</summary>
    private sealed class CountingIndex(IAsyncEnumerable<FileIndexEntry> inner) : IAsyncEnumerable<FileIndexEntry>
    {
        public int Yielded { get; private set; }

        public async IAsyncEnumerator<FileIndexEntry> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            await foreach (var entry in inner.WithCancellation(cancellationToken))
            {
                Yielded++;
                yield return entry;
            }
        }
    }

    /// <summary>After each tar entry: how far the index has been read beyond the entries extracted so far.</summary>
    private sealed class LeadProbe(CountingIndex index) : IProgress<ArchiveProgress>
    {
        public int Reports { get; private set; }

        public int MaxLead { get; private set; }

        public void Report(ArchiveProgress value)
        {
            Reports++;
            MaxLead = Math.Max(MaxLead, index.Yielded - Reports);
        }
    }
}
