using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// Volumes added to one <see cref="SiteExtraction"/> — one after another and at the same time — keep every rule of one
/// volume: an entry in two volumes is refused, nothing is written through a link of another volume, folder modes and
/// times are applied last, also to a folder whose entry is in one volume and whose files are in another.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SiteExtractionVolumesTests : IDisposable
{
    private const string Second = "files-00002.part";
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp.Combine("restore", "site");

    [Fact]
    public async Task A_folder_in_two_volumes_is_refused()
    {
        var first = new TarBuilder().Directory("uploads").File("uploads/a.txt", [1]);
        var next = new TarBuilder().Directory("uploads").File("uploads/b.txt", [2]);

        var error = await AddBothAsync(first, next, parallel: false);

        Assert.Contains("uploads: appears twice in the archives", error!.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Target));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_file_in_two_volumes_is_refused(bool parallel)
    {
        var first = new TarBuilder().Directory("uploads").File("uploads/a.txt", [1]);
        var next = new TarBuilder().File("uploads/a.txt", [1]);

        var error = await AddBothAsync(first, next, parallel);

        Assert.Contains("uploads/a.txt: appears twice in the archives", error!.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Target));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_link_of_a_later_volume_over_a_folder_written_by_an_earlier_one_is_refused_and_nothing_goes_through_it(bool parallel)
    {
        var outside = _temp.Combine("outside");
        Directory.CreateDirectory(outside);
        var first = new TarBuilder().File("uploads/shell.php", "<?php"u8.ToArray());
        var next = new TarBuilder().Link("uploads", outside);

        var error = await AddBothAsync(first, next, parallel);

        Assert.Contains("uploads", error!.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.False(Directory.Exists(Target));
    }

    [Fact]
    public async Task Volumes_added_at_the_same_time_restore_every_entry_with_the_folders_modes_applied_last()
    {
        var first = new TarBuilder().Directory("uploads");
        var next = new TarBuilder();
        for (var i = 0; i < 200; i++)
        {
            first.File($"uploads/a{i:D3}.txt", [(byte)i]);
            next.File($"uploads/b{i:D3}.txt", [(byte)i, 1]);
        }

        // The folder entry's time is when it was made above: applied last, it is older than any file written into it.
        var entriesMade = DateTime.UtcNow;
        Assert.Null(await AddBothAsync(first, next, parallel: true));

        Assert.Equal(400, Directory.EnumerateFiles(Path.Combine(Target, "uploads")).Count());
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(Target, "uploads")));
        Assert.True(Directory.GetLastWriteTimeUtc(Path.Combine(Target, "uploads")) <= entriesMade);
    }

    [Fact]
    public async Task A_folder_whose_entry_a_filter_skipped_gets_its_mode_when_another_volume_writes_into_it()
    {
        var first = new TarBuilder().Directory("uploads").File("uploads/skipped.txt", [1]);
        var next = new TarBuilder().File("uploads/wanted.txt", [2]);

        Assert.Null(await AddBothAsync(first, next, parallel: false, include: name => name == "uploads/wanted.txt"));

        Assert.Equal(["wanted.txt"], Directory.EnumerateFileSystemEntries(Path.Combine(Target, "uploads")).Select(Path.GetFileName));
        // Not the private 0700 of a folder made for a file: the entry's mode, from the other volume.
        Assert.Equal((UnixFileMode)0b111_101_101, File.GetUnixFileMode(Path.Combine(Target, "uploads")));
    }

    /// <summary>Adds <paramref name="first"/> as volume 1 and <paramref name="next"/> as volume 2 and completes; returns the refusal, if any.</summary>
    private async Task<IntegrityException?> AddBothAsync(TarBuilder first, TarBuilder next, bool parallel, Func<string, bool>? include = null)
    {
        FileIndexEntry[] index = [.. first.Index, .. next.Index.Select(e => e with { Volume = Second })];
        using var tar1 = first.Build();
        using var tar2 = next.Build();
        using var extraction = SiteExtraction.Begin(Target);
        try
        {
            if (parallel)
            {
                var one = Task.Run(() => extraction.AddVolumeAsync(tar1, TarBuilder.Volume, index, include, null, CancellationToken.None));
                var two = Task.Run(() => extraction.AddVolumeAsync(tar2, Second, index, include, null, CancellationToken.None));
                try
                {
                    await Task.WhenAll(one, two);
                }
                catch (IntegrityException)
                {
                    // The other volume may have stopped for it: the refusal is the one that matters.
                    throw new[] { one, two }.Select(t => t.Exception?.InnerException).OfType<IntegrityException>().First();
                }
            }
            else
            {
                await extraction.AddVolumeAsync(tar1, TarBuilder.Volume, index, include, null, CancellationToken.None);
                await extraction.AddVolumeAsync(tar2, Second, index, include, null, CancellationToken.None);
            }
            extraction.Complete();
            return null;
        }
        catch (IntegrityException e)
        {
            return e;
        }
    }
}
