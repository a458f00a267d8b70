using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Sources.Sites;
using BackupFunctions.Core.Tests.Support;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Files.Shares;

namespace BackupFunctions.Core.Tests.Sources.Sites;

/// <summary>
/// <see cref="AzureFilesSiteSource"/> through the real Azure SDK over HTTP against <see cref="AzureFilesStandIn"/>
/// (Azurite has no Files service): the walk, the reads and the refusals a site on a share depends on.
/// </summary>
public sealed class AzureFilesSiteSourceTests : IAsyncLifetime
{
    private const string Folder = "wwwroot/wp-content";
    private static readonly DateTime Old = new(2024, 3, 1, 12, 30, 15, DateTimeKind.Utc);
    private AzureFilesStandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await AzureFilesStandIn.StartAsync();

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    private string SiteRoot => _standIn.Local(Folder);

    private AzureFilesSiteSource Source(params string[] components) =>
        AzureFilesSiteSource.Create(
            new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, Share = _standIn.ShareName, Prefix = Folder, ConnectionSetting = "SiteFiles" },
            components,
            new DefaultAzureCredential(),
            name => name == "SiteFiles" ? _standIn.ConnectionString : null);

    /// <summary>Writes a site file with a fixed time (distinct per file) and returns its content.</summary>
    private byte[] Put(string path, int length, int seed)
    {
        var local = Path.Combine(SiteRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        var content = new byte[length];
        new Random(seed).NextBytes(content);
        File.WriteAllBytes(local, content);
        File.SetLastWriteTimeUtc(local, Old.AddMinutes(seed).AddTicks(1234567));
        return content;
    }

    private void BuildSite()
    {
        Put("uploads/2024/03/photo.jpg", 9 * 1024 * 1024 + 123, 1); // three ranges
        Put("uploads/2024/03/Photo-B.jpg", 10, 2);
        Put("uploads/readme.txt", 0, 3);
        Put("uploads/a b ü.txt", 17, 4);
        Put("themes/twenty/style.css", 2048, 5);
        Directory.CreateDirectory(Path.Combine(SiteRoot, "uploads/empty"));
        Put("plugins/not-a-component.php", 5, 6);
        foreach (var folder in Directory.EnumerateDirectories(SiteRoot, "*", SearchOption.AllDirectories).Reverse())
            Directory.SetLastWriteTimeUtc(folder, Old.AddDays(1).AddTicks(folder.Length));
    }

    [Fact]
    public void Walk_ListsComponentsInWalkOrder_WithSizesAndTimesOfTheLocalWalkOfTheSameFolder()
    {
        BuildSite();
        var skipped = new List<FileChange>();

        var walked = Source("uploads", "themes", "missing").Walk(skipped.Add).ToList();
        var local = new LocalSiteSource(SiteRoot, ["uploads", "themes", "missing"]).Walk(_ => { }).ToList();

        Assert.Empty(skipped);
        Assert.Equal(
            local.Select(e => (e.Path, e.Type, e.Size, e.ModifiedAt)),
            walked.Select(e => (e.Path, e.Type, e.Size, e.ModifiedAt)));
        Assert.Equal(
            ["themes", "themes/twenty", "themes/twenty/style.css", "uploads", "uploads/2024", "uploads/2024/03",
             "uploads/2024/03/Photo-B.jpg", "uploads/2024/03/photo.jpg", "uploads/a b ü.txt", "uploads/empty", "uploads/readme.txt"],
            walked.Select(e => e.Path));
        Assert.All(walked, e => Assert.Equal(e.Type == FileIndexEntry.DirectoryType ? 0b111_101_101 : 0b110_100_100, e.Mode));
        Assert.All(walked, e => Assert.False(string.IsNullOrEmpty(e.Identity)));
        // Sizes and times come from the listing: the walk reads no file and asks for no file's properties (incremental
        // compares stay cheap); only the missing component is looked up as a file, after it was not found as a folder.
        Assert.DoesNotContain(_standIn.Requests, r => r.StartsWith("GET ", StringComparison.Ordinal) && !r.Contains("restype=directory", StringComparison.Ordinal));
        Assert.Equal(
            ["HEAD /devstoreaccount1/site/wwwroot/wp-content/missing"],
            _standIn.Requests.Where(r => r.StartsWith("HEAD ", StringComparison.Ordinal) && !r.Contains("restype=directory", StringComparison.Ordinal)));
    }

    [Fact]
    public void Walk_TakesAComponentThatIsAFile()
    {
        Put("wp-config.php", 33, 7);

        var walked = Source("wp-config.php").Walk(_ => { }).Single();

        Assert.Equal(("wp-config.php", FileIndexEntry.FileType, 33L, Old.AddMinutes(7).AddTicks(1234567)),
            (walked.Path, walked.Type, walked.Size, walked.ModifiedAt.UtcDateTime));
    }

    [Fact]
    public void Walk_OfAFolderThatIsNotThere_Fails()
    {
        var source = AzureFilesSiteSource.Create(
            new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, Share = _standIn.ShareName, Prefix = "nowhere", ConnectionSetting = "S" },
            ["uploads"], new DefaultAzureCredential(), _ => _standIn.ConnectionString);

        Assert.Throws<DirectoryNotFoundException>(() => source.Walk(_ => { }).ToList());
    }

    [Fact]
    public async Task OpenFile_StreamsTheContentInRangesOfAtMost4MiB()
    {
        BuildSite();
        var expected = await File.ReadAllBytesAsync(Path.Combine(SiteRoot, "uploads/2024/03/photo.jpg"));
        var source = Source("uploads");

        using var file = source.OpenFile("uploads/2024/03/photo.jpg")!;
        await using var content = file.OpenRead();
        var hash = await SHA256.HashDataAsync(content);

        Assert.Equal(SHA256.HashData(expected), hash);
        Assert.Equal(expected.Length, file.Length);
        Assert.Equal(Old.AddMinutes(1).AddTicks(1234567), file.ModifiedAt.UtcDateTime);
        Assert.Equal((file.Length, file.ModifiedAt), file.CurrentState());
        var gets = _standIn.Requests.Where(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("photo.jpg", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, gets.Count);
    }

    [Fact]
    public void OpenFile_OfAFileThatIsGoneOrAFolder_IsNull()
    {
        BuildSite();
        var source = Source("uploads");
        var listed = source.Walk(_ => { }).Single(e => e.Path == "uploads/readme.txt");
        File.Delete(Path.Combine(SiteRoot, "uploads/readme.txt"));

        Assert.Equal(FileIndexEntry.FileType, listed.Type);
        Assert.Null(source.OpenFile("uploads/readme.txt"));
        Assert.Null(source.OpenFile("uploads/2024"));
        Assert.Null(source.OpenFile("gone/folder/file.txt"));
        Assert.Null(source.ReadLink("uploads/a b ü.txt"));
        Assert.Empty(source.ComponentsBelowLinks());
    }

    [Fact]
    public void FileDeletedWhileRead_EndsEarly_AndCountsAsShrunk()
    {
        var expected = Put("uploads/big.bin", 6 * 1024 * 1024, 8);
        var source = Source("uploads");

        using var file = source.OpenFile("uploads/big.bin")!;
        using var content = file.OpenRead();
        var first = new byte[1000];
        content.ReadExactly(first);
        File.Delete(Path.Combine(SiteRoot, "uploads/big.bin"));
        var rest = new MemoryStream();
        content.CopyTo(rest); // the first range was already streaming; the second is gone

        Assert.Equal(expected[..1000], first);
        Assert.True(1000 + rest.Length < expected.Length);
        Assert.Equal(0, file.CurrentState().Length);
    }

    [Fact]
    public void Walk_ReadsEveryPageOfALongListing()
    {
        _standIn.PageSize = 3;
        for (var i = 0; i < 11; i++)
            Put($"uploads/f{i:D2}.txt", i, i);

        var walked = Source("uploads").Walk(_ => { }).Select(e => e.Path).ToList();

        Assert.Equal(["uploads", .. Enumerable.Range(0, 11).Select(i => $"uploads/f{i:D2}.txt")], walked);
        Assert.True(_standIn.Requests.Count(r => r.Contains("comp=list", StringComparison.Ordinal) && r.Contains("marker=", StringComparison.Ordinal)) >= 3);
    }

    [Fact]
    public void Walk_RefusesNamesThatAreNotPlainNames_AndReportsThem()
    {
        Put("uploads/ok.txt", 3, 9);
        _standIn.ForgeListing(Folder + "/uploads", "..", ".", "a/b", "..\\..\\secret", "x\u0001y", "line\nbreak");

        var skipped = new List<FileChange>();
        var walked = Source("uploads").Walk(skipped.Add).Select(e => e.Path).ToList();

        Assert.Equal(["uploads", "uploads/ok.txt"], walked);
        Assert.Equal(6, skipped.Count);
        Assert.All(skipped, s => Assert.Equal(FileChange.UnreadableName, s.Change));
        Assert.All(skipped, s => Assert.DoesNotContain(s.Path, c => char.IsControl(c)));
        // Nothing was asked for outside the folder.
        Assert.DoesNotContain(_standIn.Requests, r => r.Contains("secret", StringComparison.Ordinal) || r.Contains("/..", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("uploads/../../x")]
    [InlineData("uploads/a\\..\\b")]
    [InlineData("uploads/x\u0001")]
    public void OpenFile_OfAPathThatLeavesTheFolder_IsRefused(string path)
    {
        Assert.Throws<ArgumentException>(() => Source("uploads").OpenFile(path));
        Assert.Empty(_standIn.Requests);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("site/../..")]
    [InlineData("a\\b")]
    public void AFolderOrComponentThatLeavesTheShareFolder_IsRefused(string hostile)
    {
        var share = new ShareClient(_standIn.ConnectionString, _standIn.ShareName);
        Assert.Throws<ArgumentException>(() => new AzureFilesSiteSource(share, hostile, ["uploads"]));
        Assert.Throws<ArgumentException>(() => new AzureFilesSiteSource(share, Folder, [hostile]));
    }

    [Fact]
    public void Settings_WithoutAShareOrAWayIn_AreRefused()
    {
        TokenCredential credential = new DefaultAzureCredential();
        Assert.Throws<ArgumentException>(() => AzureFilesSiteSource.Create(
            new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, AccountUrl = "https://a.file.core.windows.net" }, ["u"], credential, _ => null));
        Assert.Throws<ArgumentException>(() => AzureFilesSiteSource.Create(
            new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, Share = "s", AccountUrl = "http://a.file.core.windows.net" }, ["u"], credential, _ => null));
        Assert.Throws<ArgumentException>(() => AzureFilesSiteSource.Create(
            new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, Share = "s", ConnectionSetting = "Empty" }, ["u"], credential, _ => null));
        var identity = AzureFilesSiteSource.Create(
            new SiteSourceSettings { Type = SiteSourceTypes.AzureFiles, Share = "s", AccountUrl = "https://a.file.core.windows.net" }, ["u"], credential, _ => null);
        Assert.Equal(["u"], identity.Components);
    }

    [Fact]
    public async Task TheArchiver_StoresTheSameEntriesFromTheShareAsFromTheLocalFolder()
    {
        BuildSite();
        var source = Source("uploads", "themes");
        var local = new LocalSiteSource(SiteRoot, ["uploads", "themes"]);

        var fromShare = await ArchiveAsync(source);
        var fromLocal = await ArchiveAsync(local);

        Assert.Equal(
            fromLocal.Select(e => (e.Path, e.Type, e.Size, e.ModifiedAt, e.Sha256)),
            fromShare.Select(e => (e.Path, e.Type, e.Size, e.ModifiedAt, e.Sha256)));
    }

    private static async Task<List<FileIndexEntry>> ArchiveAsync(ISiteSource source)
    {
        var entries = new List<FileIndexEntry>();
        var walk = source.Walk(_ => { }).ToAsyncEnumerable();
        var result = await SiteArchiver.WriteVolumeAsync(source, walk, "v1", Stream.Null, (entry, _) =>
        {
            entries.Add(entry);
            return ValueTask.CompletedTask;
        }, null, CancellationToken.None);
        Assert.Equal(0, result.ChangedFileCount);
        return entries;
    }
}
