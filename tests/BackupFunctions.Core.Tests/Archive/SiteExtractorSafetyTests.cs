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
    public async Task A_symlink_pointing_out_of_the_site_is_refused()
    {
        var error = await RefusedAsync(new TarBuilder().Directory("themes").Link("themes/escape", "../../../etc"));

        Assert.Contains("themes/escape: symbolic link target '../../../etc' points outside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absolute_symlink_is_refused()
    {
        var error = await RefusedAsync(new TarBuilder().Link("passwd", "/etc/passwd"));

        Assert.Contains("passwd: symbolic link target '/etc/passwd' is absolute", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlink_chain_that_escapes_only_when_resolved_is_refused()
    {
        // Textually "b/.." is the root itself, but b is the root, so b/.. is its parent.
        var error = await RefusedAsync(new TarBuilder().Link("b", ".").Link("a", "b/.."));

        Assert.Contains("a: symbolic link target 'b/..' points outside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_symlink_loop_is_refused()
    {
        var error = await RefusedAsync(new TarBuilder().Link("x", "y").Link("y", "x"));

        Assert.Contains("points outside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_written_through_an_earlier_symlink_is_refused()
    {
        var error = await RefusedAsync(new TarBuilder().Directory("sub").Link("l", "sub").File("l/x", "x"u8.ToArray()));

        Assert.Contains("l/x: lies below the symbolic link l", error.Message, StringComparison.Ordinal);
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

    [Fact]
    public async Task A_duplicate_entry_is_refused()
    {
        var builder = new TarBuilder().File("a.txt", "a"u8.ToArray()).File("a.txt", "a"u8.ToArray());

        var error = await RefusedAsync(builder, [builder.Index[0]]);

        Assert.Contains("a.txt: appears twice", error.Message, StringComparison.Ordinal);
    }
}
