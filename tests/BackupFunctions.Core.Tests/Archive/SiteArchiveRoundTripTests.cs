using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>Modes, FIFOs and symbolic links as a Unix server has them (the Functions app runs on Linux).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SiteArchiveRoundTripTests : IDisposable
{
    private static readonly DateTime OldTime = new(2020, 2, 29, 12, 34, 56, 789, DateTimeKind.Utc);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Site => _temp.Combine("site");

    private byte[] BuildSite()
    {
        var big = new byte[3 * 1024 * 1024 + 12345];
        new Random(42).NextBytes(big);
        Write("uploads/2024/05/photo.bin", big);
        Write("uploads/empty.txt", []);
        Write("uploads/Grüße/日本語.txt", Encoding.UTF8.GetBytes("こんにちは Grüße"));
        Write("uploads/.htaccess", "Deny from all\n"u8.ToArray());
        Write("themes/default/style.css", "body{}"u8.ToArray());
        Write("themes/default/run.sh", "#!/bin/sh\n"u8.ToArray(), (UnixFileMode)0b111_101_101);
        Write("wp-config.php", "<?php $secret = 1;"u8.ToArray(), (UnixFileMode)0b110_000_000);
        Write("cache/should-not-be-archived.txt", "x"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(Site, "themes/empty-folder"));
        File.CreateSymbolicLink(Path.Combine(Site, "themes/current"), "default");
        File.CreateSymbolicLink(Path.Combine(Site, "themes/dangling"), "nowhere/at/all");
        Directory.CreateDirectory(Path.Combine(Site, "uploads/private"));
        File.SetUnixFileMode(Path.Combine(Site, "uploads/private"), (UnixFileMode)0b111_000_000);
        foreach (var path in Directory.EnumerateFileSystemEntries(Site, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (new FileInfo(path).LinkTarget is null)
                File.SetLastWriteTimeUtc(path, OldTime);
        }

        return big;
    }

    private void Write(string relative, byte[] content, UnixFileMode? mode = null)
    {
        var path = Path.Combine(Site, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        if (mode is { } m)
            File.SetUnixFileMode(path, m);
    }

    private static readonly string[] ArchivedComponents = ["uploads", "themes", "wp-config.php", "plugins-missing"];

    [Fact]
    public async Task Archive_and_extract_reproduce_the_site_byte_for_byte_with_modes_times_and_links()
    {
        var big = BuildSite();
        var progress = new ProgressLog();
        using var tar = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ArchivedComponents, TarBuilder.Volume, tar, progress, CancellationToken.None);

        Assert.True(tar.CanWrite, "the tar output stays open");
        var scan = SiteArchiver.Scan(Site, ArchivedComponents);
        Assert.Equal(new SiteScan(result.Files, result.Folders, result.Bytes), scan);
        Assert.Equal(9, result.Files);
        Assert.Equal(big.Length + 6 + 10 + 14 + 18 + Encoding.UTF8.GetByteCount("こんにちは Grüße"), result.Bytes);
        Assert.Equal(result.Files + result.Folders, progress.Reports.Count);
        Assert.Equal(new ArchiveProgress(result.Files, result.Bytes), progress.Reports[^1]);
        Assert.All(result.Entries, e => Assert.Equal(TarBuilder.Volume, e.Volume));
        Assert.DoesNotContain(result.Entries, e => e.Path.StartsWith("cache", StringComparison.Ordinal));

        var photo = Assert.Single(result.Entries, e => e.Path == "uploads/2024/05/photo.bin");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(big)), photo.Sha256);
        Assert.Equal(big.Length, photo.Size);
        Assert.Equal(OldTime, photo.ModifiedAt.UtcDateTime);
        var config = Assert.Single(result.Entries, e => e.Path == "wp-config.php");
        Assert.Equal(0b110_000_000, config.Mode);
        var link = Assert.Single(result.Entries, e => e.Path == "themes/current");
        Assert.Equal((FileIndexEntry.SymbolicLinkType, "default", (string?)null), (link.Type, link.LinkTarget, link.Sha256));

        // Index through its serialized form, as a restore would read it.
        using var indexStream = new MemoryStream();
        await FileIndex.WriteAsync(result.Entries, indexStream, CancellationToken.None);
        indexStream.Position = 0;
        var index = await FileIndex.ReadAsync(indexStream, CancellationToken.None);
        Assert.Equal(result.Entries, index);

        tar.Position = 0;
        var target = _temp.Combine("restored", "site");
        var extractProgress = new ProgressLog();
        var extracted = await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, target, index, extractProgress, CancellationToken.None);

        Assert.Equal(new ArchiveProgress(result.Files, result.Bytes), extracted);
        Assert.Equal(extracted, extractProgress.Reports[^1]);
        Assert.Equal(Describe(Site, ArchivedComponents), Describe(target, ArchivedComponents));
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(target, "uploads/2024/05/photo.bin")));
        Assert.Equal("こんにちは Grüße", File.ReadAllText(Path.Combine(target, "uploads/Grüße/日本語.txt")));
        Assert.Equal("default", new FileInfo(Path.Combine(target, "themes/current")).LinkTarget);
        Assert.Equal("body{}", File.ReadAllText(Path.Combine(target, "themes/current/style.css")));
        Assert.False(Directory.Exists(Path.Combine(target, "cache")));
        Assert.Empty(Directory.GetDirectories(_temp.Combine("restored"), "*.restoring-*"));
    }

    [Fact]
    public async Task Entries_come_in_ordinal_order_with_each_folder_before_its_content()
    {
        BuildSite();
        using var tar = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ["uploads", "themes", "wp-config.php"], TarBuilder.Volume, tar, null, CancellationToken.None);

        Assert.Equal(
        [
            "themes", "themes/current", "themes/dangling", "themes/default", "themes/default/run.sh", "themes/default/style.css",
            "themes/empty-folder", "uploads", "uploads/.htaccess", "uploads/2024", "uploads/2024/05", "uploads/2024/05/photo.bin",
            "uploads/Grüße", "uploads/Grüße/日本語.txt", "uploads/empty.txt", "uploads/private", "wp-config.php",
        ],
            result.Entries.Select(e => e.Path));
    }

    /// <summary>
    /// The stored format is a promise: the walk through handles writes, for the same site, what the walk by path wrote
    /// before it, entry for entry and field for field (tar and index; the hashes were taken from the archiver as it was
    /// before the handle walk). Only the PAX atime and ctime records differ from run to run: TarWriter stamps them with
    /// the current time.
    /// </summary>
    [Fact]
    public async Task The_tar_and_the_index_are_those_the_path_walk_wrote()
    {
        BuildSite();
        foreach (var link in new[] { "themes/current", "themes/dangling" })
        {
            // A link's own time cannot be set through .NET; touch -h sets it without following the link.
            using var touch = Process.Start("touch", ["-h", "-d", "2021-03-04 05:06:07.891011 UTC", Path.Combine(Site, link)]);
            await touch.WaitForExitAsync();
            Assert.Equal(0, touch.ExitCode);
        }
        using var tar = new MemoryStream();
        using var index = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ArchivedComponents, TarBuilder.Volume, tar, null, CancellationToken.None);
        await FileIndex.WriteAsync(result.Entries, index, CancellationToken.None);

        Assert.Equal(3188224, tar.Length);
        Assert.Equal("23da0ad59e3490b4d22b790886c9e4a4525a934f759856926ea0f1d890ccdb6b", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(DescribeTar(tar)))));
        Assert.Equal("5b08eca5869cda199079c47772b85ac8f0c46e5bcd97d14dd16e22be8c41bfe4", Convert.ToHexStringLower(SHA256.HashData(index.ToArray())));
    }

    /// <summary>Every header field and record of every entry, and a hash of its data, except the PAX atime and ctime.</summary>
    private static string DescribeTar(MemoryStream tar)
    {
        tar.Position = 0;
        var lines = new StringBuilder();
        using var reader = new System.Formats.Tar.TarReader(tar, leaveOpen: true);
        while (reader.GetNextEntry() is System.Formats.Tar.PaxTarEntry entry)
        {
            var data = entry.DataStream is { } stream ? Convert.ToHexStringLower(SHA256.HashData(stream)) : "-";
            var records = entry.ExtendedAttributes.Where(a => a.Key is not ("atime" or "ctime")).OrderBy(a => a.Key, StringComparer.Ordinal)
                .Select(a => $"{a.Key}={a.Value}");
            lines.AppendLine(CultureInfo.InvariantCulture,
                $"{entry.EntryType} {entry.Name} {entry.Length} {(int)entry.Mode} {entry.ModificationTime.UtcTicks} {entry.Uid} {entry.Gid} " +
                $"{entry.UserName}|{entry.GroupName}|{entry.LinkName}|{entry.DeviceMajor}|{entry.DeviceMinor} {data} {string.Join(';', records)}");
        }
        return lines.ToString();
    }

    [Fact]
    public async Task Components_that_climb_out_of_the_site_are_refused()
    {
        BuildSite();

        await Assert.ThrowsAsync<ArgumentException>(
            () => SiteArchiver.WriteAsync(Site, ["../etc"], TarBuilder.Volume, Stream.Null, null, CancellationToken.None));
        Assert.Throws<ArgumentException>(() => SiteArchiver.Scan(Site, ["/etc"]));
    }

    [Fact]
    public async Task A_fifo_is_skipped_instead_of_blocking_the_archive()
    {
        Write("uploads/a.txt", "a"u8.ToArray());
        using (var mkfifo = Process.Start("mkfifo", Path.Combine(Site, "uploads/pipe")))
            await mkfifo.WaitForExitAsync();
        using var tar = new MemoryStream();

        var result = await SiteArchiver.WriteAsync(Site, ["uploads"], TarBuilder.Volume, tar, null, CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(["uploads", "uploads/a.txt"], result.Entries.Select(e => e.Path));
    }

    [Fact]
    public async Task Extracting_into_an_existing_empty_folder_works_and_a_non_empty_one_is_refused()
    {
        BuildSite();
        using var tar = new MemoryStream();
        var result = await SiteArchiver.WriteAsync(Site, ["uploads"], TarBuilder.Volume, tar, null, CancellationToken.None);

        var empty = _temp.Combine("empty-target");
        Directory.CreateDirectory(empty);
        tar.Position = 0;
        await SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, empty, result.Entries, null, CancellationToken.None);
        Assert.True(File.Exists(Path.Combine(empty, "uploads/.htaccess")));

        var occupied = _temp.Combine("occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "live.txt"), "live data");
        tar.Position = 0;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => SiteExtractor.ExtractAsync(tar, TarBuilder.Volume, occupied, result.Entries, null, CancellationToken.None));
        Assert.Contains(occupied, error.Message, StringComparison.Ordinal);
        Assert.Equal(["live.txt"], Directory.GetFileSystemEntries(occupied).Select(Path.GetFileName));
        Assert.Empty(Directory.GetDirectories(_temp.Path, "*.restoring-*"));
    }

    [Fact]
    public async Task Several_volumes_extract_into_one_target_through_one_extraction()
    {
        BuildSite();
        using var first = new MemoryStream();
        using var second = new MemoryStream();
        var uploads = await SiteArchiver.WriteAsync(Site, ["uploads"], "files-00001.part", first, null, CancellationToken.None);
        var themes = await SiteArchiver.WriteAsync(Site, ["themes"], "files-00002.part", second, null, CancellationToken.None);
        FileIndexEntry[] index = [.. uploads.Entries, .. themes.Entries];
        var target = _temp.Combine("multi");
        first.Position = 0;
        second.Position = 0;

        using (var extraction = SiteExtraction.Begin(target))
        {
            await extraction.AddVolumeAsync(first, "files-00001.part", index, null, CancellationToken.None);
            Assert.False(Directory.Exists(target));
            var total = await extraction.AddVolumeAsync(second, "files-00002.part", index, null, CancellationToken.None);
            Assert.Equal(new ArchiveProgress(uploads.Files + themes.Files, uploads.Bytes + themes.Bytes), total);
            extraction.Complete();
        }

        Assert.Equal(Describe(Site, ["uploads", "themes"]), Describe(target, ["uploads", "themes"]));
    }

    /// <summary>Every entry under the components: path, kind, mode, mtime, link target, content hash.</summary>
    private static List<string> Describe(string root, IEnumerable<string> components)
    {
        var lines = new List<string>();
        foreach (var component in components)
        {
            var path = Path.Combine(root, component);
            if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
                lines.Add(DescribeOne(root, path));
            else if (Directory.Exists(path))
            {
                lines.Add(DescribeOne(root, path));
                lines.AddRange(Directory.EnumerateFileSystemEntries(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
                    .Select(p => DescribeOne(root, p)));
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string DescribeOne(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
            return $"{relative} -> {target}";
        if (Directory.Exists(path))
            return $"{relative}/ {Convert.ToString((int)File.GetUnixFileMode(path), 8)} {Directory.GetLastWriteTimeUtc(path):O}";
        return $"{relative} {Convert.ToString((int)info.UnixFileMode, 8)} {info.LastWriteTimeUtc:O} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}";
    }
}
