using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>
/// The planner cuts the walk into volumes by content bytes and entry count: every entry in exactly one volume, in walk
/// order, volumes numbered from 1 without gaps. A site is written as a compact table: "d name" a folder, "f name size"
/// a file, "l name" a link; the expected volume of each entry follows after '→'.
/// </summary>
public sealed class VolumePlannerTests
{
    public static TheoryData<string, long, int, string[]> Cases => new()
    {
        // name, max bytes, max entries, entries with their expected volume
        { "everything fits one volume", 100, 100, ["d a →1", "f a/x 10 →1", "f a/y 10 →1", "l a/z →1"] },
        { "bytes close a volume before the file that would pass the cap", 25, 100, ["d a →1", "f a/x 10 →1", "f a/y 10 →1", "f a/z 10 →2"] },
        { "exactly the cap still fits", 20, 100, ["f x 10 →1", "f y 10 →1", "f z 1 →2"] },
        { "a folder's files span two volumes", 15, 100, ["d up →1", "f up/a 10 →1", "f up/b 10 →2", "d up/c →2", "f up/c/d 1 →2"] },
        { "the entry cap counts folders and links too", 1000, 2, ["d a →1", "d a/b →1", "l a/b/l →2", "f a/b/x 1 →2", "d e →3"] },
        { "empty folders only", 10, 2, ["d a →1", "d b →1", "d c →2"] },
        { "a file bigger than a volume gets a volume of its own", 10, 100, ["d a →1", "f a/big 50 →2", "f a/small 1 →3", "d b →3"] },
        { "a big file first is alone too", 10, 100, ["f big 50 →1", "d after →2"] },
        { "empty files only count as entries", 10, 3, ["f a 0 →1", "f b 0 →1", "f c 0 →1", "f d 0 →2"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cuts_the_walk_into_bounded_volumes(string name, long maxBytes, int maxEntries, string[] table)
    {
        var (entries, expected) = Parse(table);
        var planner = new VolumePlanner(new VolumeLimits(maxBytes, maxEntries));

        var planned = planner.Plan(entries).ToList();

        Assert.True(expected.SequenceEqual(planned.Select(p => p.Volume)), $"{name}: {string.Join(", ", planned.Select(p => $"{p.Entry.Path}→{p.Volume}"))}");
        Assert.Equal(entries.Select(e => e.Path), planned.Select(p => p.Entry.Path)); // walk order, each entry once
        Assert.Equal(expected.Max(), planner.Volumes);
        Assert.Equal(Enumerable.Range(1, planner.Volumes), planned.Select(p => p.Volume).Distinct()); // from 1, no gaps, ascending
        Assert.Equal(entries.Count(e => e.Type != FileIndexEntry.DirectoryType), planner.Files);
        Assert.Equal(entries.Count(e => e.Type == FileIndexEntry.DirectoryType), planner.Folders);
        Assert.Equal(entries.Sum(e => e.Size), planner.Bytes);
    }

    [Fact]
    public void An_empty_site_has_one_empty_volume()
    {
        var planner = new VolumePlanner(new VolumeLimits(10, 10));
        Assert.Empty(planner.Plan([]).ToList());
        Assert.Equal(1, planner.Volumes);
    }

    [Fact]
    public void Files_kept_apart_go_into_volumes_of_their_own_cut_by_the_same_limits()
    {
        var (entries, _) = Parse(["d m →0", "f m/a.jpg 10 →0", "f m/b.txt 10 →0", "f m/c.jpg 10 →0", "f m/d.jpg 10 →0", "f m/e.txt 10 →0"]);
        var planner = new VolumePlanner(new VolumeLimits(20, 100), e => e.Path.EndsWith(".jpg", StringComparison.Ordinal));

        var planned = planner.Plan(entries).ToDictionary(p => p.Entry.Path, p => p.Volume);

        // Opened in walk order: 1 (main: m, b.txt, e.txt), 2 (apart: a.jpg, c.jpg), 3 (apart: d.jpg).
        Assert.Equal(new Dictionary<string, int> { ["m"] = 1, ["m/a.jpg"] = 2, ["m/b.txt"] = 1, ["m/c.jpg"] = 2, ["m/d.jpg"] = 3, ["m/e.txt"] = 1 }, planned);
        Assert.Equal([2, 3], planner.SeparateVolumes);
        Assert.Equal(3, planner.Volumes);
    }

    [Fact]
    public void Limits_below_one_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolumePlanner(new VolumeLimits(0, 1)).Plan([]).ToList());
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolumePlanner(new VolumeLimits(1, 0)).Plan([]).ToList());
    }

    private static (List<SiteEntry> Entries, List<int> Volumes) Parse(string[] table)
    {
        var entries = new List<SiteEntry>();
        var volumes = new List<int>();
        foreach (var row in table)
        {
            var parts = row.Split(' ');
            var type = parts[0] switch { "d" => FileIndexEntry.DirectoryType, "l" => FileIndexEntry.SymbolicLinkType, _ => FileIndexEntry.FileType };
            var size = parts[0] == "f" ? long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture) : 0;
            entries.Add(new SiteEntry(parts[1], type, size, DateTimeOffset.UnixEpoch, 0b110_100_100) { LinkTarget = type == FileIndexEntry.SymbolicLinkType ? "target" : null });
            volumes.Add(int.Parse(parts[^1].TrimStart('→'), System.Globalization.CultureInfo.InvariantCulture));
        }
        return (entries, volumes);
    }
}
