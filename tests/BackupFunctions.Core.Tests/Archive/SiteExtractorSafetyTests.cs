using System.Formats.Tar;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>Hostile or damaged archives: each is refused, nothing appears in the target, no staging is left behind.</summary>
public sealed class SiteExtractorSafetyTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp.Combine("restore", "site");

    private async Task<IntegrityException> RefusedAsync(TarBuilder builder, IReadOnlyList<FileIndexEntry>? index = null)
    {
        using var tar = builder.Build();
        var error = await Assert.ThrowsAsync<IntegrityException>(
            () => SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, Target, index ?? builder.Index, null, CancellationToken.None));
        Assert.Equal(TarBuilder.Volume, error.ObjectName);
        Assert.False(Directory.Exists(Target), "the target must not appear");
        Assert.Empty(Directory.GetFileSystemEntries(_temp.Combine("restore")));
        return error;
    }

    [Fact]
    public async Task A_dot_dot_entry_is_refused_and_nothing_is_written_outside()
    {
        var error = await RefusedAsync(new TarBuilder().Directory("uploads").File("../evil", "pwned"u8.ToArray()));

        Assert.Contains("../evil: unsafe path", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(_temp.Combine("restore", "evil")));
    }

    [Fact]
    public async Task A_dot_dot_inside_a_name_is_refused()
    {
        var error = await RefusedAsync(new TarBuilder().Directory("uploads").File("uploads/../../evil", "pwned"u8.ToArray()));

        Assert.Contains("uploads/../../evil: unsafe path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absolute_entry_is_refused()
    {
        var outside = _temp.Combine("absolute-evil");

        var error = await RefusedAsync(new TarBuilder().File(outside, "pwned"u8.ToArray()));

        Assert.Contains(": unsafe path", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(outside));
    }

    [Fact]
    public async Task A_file_written_through_an_earlier_symlink_is_refused()
    {
        var error = await RefusedAsync(new TarBuilder().Directory("sub").Link("l", "sub").File("l/x", "x"u8.ToArray()));

        Assert.Contains("l/x: lies below the symbolic link l", error.Message, StringComparison.Ordinal);
    }

    // Links that point out of the site are restored as they were (SiteExtractorOutsideLinkTests); what must never happen
    // is that something is written, or given a mode or a time, through one of them.

    [Fact]
    public async Task A_file_below_a_link_that_points_outside_is_refused_and_nothing_is_written_there()
    {
        var outside = OutsideFolder();
        var before = OutsideLinkTestSupport.Snapshot(outside);

        var error = await RefusedAsync(new TarBuilder().Link("uploads", outside).File("uploads/shell.php", "<?php"u8.ToArray()));

        Assert.Contains("uploads/shell.php: lies below the symbolic link uploads", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OutsideLinkTestSupport.Snapshot(outside));
    }

    [Fact]
    public async Task A_folder_below_an_absolute_link_is_refused_and_the_outside_folder_keeps_its_mode_and_time()
    {
        var outside = OutsideFolder();
        var before = OutsideLinkTestSupport.Snapshot(outside);

        var error = await RefusedAsync(new TarBuilder().Link("cache", outside).Directory("cache/sub"));

        Assert.Contains("cache/sub: lies below the symbolic link cache", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OutsideLinkTestSupport.Snapshot(outside));
    }

    [Fact]
    public async Task A_folder_entry_where_a_link_to_outside_was_is_refused()
    {
        var outside = OutsideFolder();
        var before = OutsideLinkTestSupport.Snapshot(outside);

        var error = await RefusedAsync(new TarBuilder().Link("d", outside).Directory("d"));

        Assert.Contains("d: appears twice", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OutsideLinkTestSupport.Snapshot(outside));
    }

    [Fact]
    public async Task A_link_to_outside_where_a_folder_was_is_refused_so_the_folders_mode_and_time_never_reach_through_it()
    {
        var outside = OutsideFolder();
        var before = OutsideLinkTestSupport.Snapshot(outside);

        var error = await RefusedAsync(new TarBuilder().Directory("d").File("d/x", [1]).Link("d", outside));

        Assert.Contains("d: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, OutsideLinkTestSupport.Snapshot(outside));
    }

    [Fact]
    public async Task A_file_below_an_outside_link_of_an_earlier_volume_is_refused()
    {
        var outside = OutsideFolder();
        var before = OutsideLinkTestSupport.Snapshot(outside);
        const string second = "files-00002.part";
        var first = new TarBuilder().Link("uploads", outside);
        var next = new TarBuilder().File("uploads/shell.php", "<?php"u8.ToArray());
        FileIndexEntry[] index = [.. first.Index, .. next.Index.Select(e => e with { Volume = second })];

        using (var extraction = SiteExtraction.Begin(Target))
        {
            using (var tar = first.Build())
                await extraction.AddVolumeAsync(tar, TarBuilder.Volume, index, null, CancellationToken.None);
            using var tar2 = next.Build();
            var error = await Assert.ThrowsAsync<IntegrityException>(
                () => extraction.AddVolumeAsync(tar2, second, index, null, CancellationToken.None));
            Assert.Equal(second, error.ObjectName);
            Assert.Contains("uploads/shell.php: lies below the symbolic link uploads", error.Message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Target), "the target must not appear");
        Assert.Equal(before, OutsideLinkTestSupport.Snapshot(outside));
    }

    [Fact]
    public async Task Hard_links_are_refused()
    {
        var error = await RefusedAsync(new TarBuilder().File("a", "a"u8.ToArray()).Link("b", "a", TarEntryType.HardLink));

        Assert.Contains("b: HardLink entries are not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hash_mismatch_in_the_index_is_an_integrity_error_and_the_target_is_not_created()
    {
        var builder = new TarBuilder().Directory("uploads").File("uploads/a.txt", "original"u8.ToArray()).File("uploads/b.txt", "bbb"u8.ToArray());
        var edited = builder.Index.Select(e => e.Path == "uploads/b.txt" ? e with { Sha256 = new string('0', 64) } : e).ToList();

        var error = await RefusedAsync(builder, edited);

        Assert.Equal($"{TarBuilder.Volume}: uploads/b.txt: SHA-256 does not match the index", error.Message);
    }

    [Fact]
    public async Task A_size_mismatch_is_an_integrity_error()
    {
        var builder = new TarBuilder().File("a.txt", "12345"u8.ToArray());
        var edited = builder.Index.Select(e => e with { Size = 4 }).ToList();

        var error = await RefusedAsync(builder, edited);

        Assert.Contains("a.txt: 5 bytes in the archive, 4 in the index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_entry_missing_from_the_index_is_an_integrity_error()
    {
        var builder = new TarBuilder().File("a.txt", "a"u8.ToArray()).File("smuggled.php", "<?php"u8.ToArray());

        var error = await RefusedAsync(builder, builder.Index.Where(e => e.Path != "smuggled.php").ToList());

        Assert.Contains("smuggled.php: in the archive but not in the index", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_index_file_missing_from_the_archive_is_an_integrity_error()
    {
        var builder = new TarBuilder().File("a.txt", "a"u8.ToArray());
        FileIndexEntry[] index = [.. builder.Index, builder.Index[0] with { Path = "gone.txt" }];

        var error = await RefusedAsync(builder, index);

        Assert.Contains("gone.txt: in the index but missing from the archive", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Index_entries_of_other_volumes_are_not_expected_in_this_one()
    {
        var builder = new TarBuilder().File("a.txt", "a"u8.ToArray());
        using var tar = builder.Build();
        FileIndexEntry[] index = [.. builder.Index, builder.Index[0] with { Path = "elsewhere.txt", Volume = "files-00002.part" }];

        var extracted = await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, Target, index, null, CancellationToken.None);

        Assert.Equal(new ArchiveProgress(1, 1), extracted);
        Assert.Equal("a", File.ReadAllText(Path.Combine(Target, "a.txt")));
    }

    /// <summary>A folder beside the restore with one file, both with a distinctive mode and an old time.</summary>
    private string OutsideFolder()
    {
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        var file = Path.Combine(outside, "owned.txt");
        File.WriteAllText(file, "not the site's");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, (UnixFileMode)0b110_100_000);
            File.SetUnixFileMode(outside, (UnixFileMode)0b111_101_000);
        }
        File.SetLastWriteTimeUtc(file, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        Directory.SetLastWriteTimeUtc(outside, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        return outside;
    }

    [Fact]
    public async Task A_duplicate_entry_is_refused()
    {
        var builder = new TarBuilder().File("a.txt", "a"u8.ToArray()).File("a.txt", "a"u8.ToArray());

        var error = await RefusedAsync(builder, [builder.Index[0]]);

        Assert.Contains("a.txt: appears twice", error.Message, StringComparison.Ordinal);
    }
}
