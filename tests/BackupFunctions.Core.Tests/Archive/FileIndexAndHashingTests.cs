using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Archive;

public sealed class FileIndexAndHashingTests
{
    [Fact]
    public async Task The_index_is_camel_case_json_lines_and_reads_back_equal()
    {
        FileIndexEntry[] entries =
        [
            new("Grüße/日本語.txt", FileIndexEntry.FileType, 12, new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero), 420, new string('a', 64), "files-00001.part"),
            new("themes/current", FileIndexEntry.SymbolicLinkType, 0, DateTimeOffset.UnixEpoch, 511, null, "files-00001.part") { LinkTarget = "default" },
        ];
        using var stream = new MemoryStream();

        await FileIndex.WriteAsync(entries, stream, CancellationToken.None);

        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("", lines[2]);
        Assert.StartsWith("{\"path\":\"Grüße/日本語.txt\",\"type\":\"file\",\"size\":12,\"modifiedAt\":\"2024-05-06T07:08:09.123+00:00\"", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("linkTarget", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"linkTarget\":\"default\"", lines[1], StringComparison.Ordinal);
        stream.Position = 0;
        Assert.Equal(entries, await FileIndex.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_index_line_is_reported_by_number()
    {
        using var stream = new MemoryStream("{\"path\":\"a\",\"type\":\"directory\",\"size\":0,\"modifiedAt\":\"2024-01-01T00:00:00Z\",\"mode\":493,\"volume\":\"v\"}\n{not json\n"u8.ToArray());

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => FileIndex.ReadAsync(stream, CancellationToken.None));

        Assert.StartsWith("file index line 2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hashing_stream_hashes_what_passes_and_reads_the_file_once()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("f.bin");
        var content = RandomNumberGenerator.GetBytes(300_000);
        await File.WriteAllBytesAsync(path, content);

        await using var hashing = new HashingReadStream(File.OpenRead(path), content.Length, "f.bin");
        await hashing.CopyToAsync(Stream.Null);

        Assert.Equal(SHA256.HashData(content), hashing.GetHash());
        Assert.Equal(content.Length, hashing.Position);
    }

    [Fact]
    public async Task A_file_that_grows_while_read_is_cut_at_the_promised_length()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("log.txt");
        await File.WriteAllTextAsync(path, "0123456789");
        await using var hashing = new HashingReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), 10, "uploads/log.txt");
        await File.AppendAllTextAsync(path, "more");
        using var copy = new MemoryStream();

        await hashing.CopyToAsync(copy);

        Assert.Equal("0123456789"u8.ToArray(), copy.ToArray());
        Assert.Equal(SHA256.HashData("0123456789"u8), hashing.GetHash());
        Assert.False(hashing.Shrank);
    }

    [Fact]
    public async Task A_file_that_shrinks_while_read_is_completed_with_zero_bytes_to_the_promised_length()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("log.txt");
        await File.WriteAllTextAsync(path, "0123456789");
        await using var hashing = new HashingReadStream(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite), 10, "uploads/log.txt");
        await using (var truncate = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
            truncate.SetLength(4);
        using var copy = new MemoryStream();

        await hashing.CopyToAsync(copy);

        byte[] expected = [.. "0123"u8, 0, 0, 0, 0, 0, 0];
        Assert.Equal(expected, copy.ToArray());
        Assert.Equal(SHA256.HashData(expected), hashing.GetHash());
        Assert.True(hashing.Shrank);
    }
}
