using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Compression;
using BackupFunctions.Core.Tests.Support;

namespace BackupFunctions.Core.Tests.Format;

/// <summary>
/// Regression: SharpCompress's lzip reader miscounted its CRC when read the way the tar reader reads (odd sizes at odd
/// offsets), so every lzma file volume of more than a few blocks failed to restore although the file was correct.
/// </summary>
public sealed class LzipTarReadTests
{
    [Fact]
    public async Task An_lzma_file_volume_extracts_through_the_tar_reader()
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Combine("site", "uploads", "2026"));
        File.WriteAllBytes(folder.Combine("site", "uploads", "photo.bin"), RandomNumberGenerator.GetBytes(3_000_000));
        File.WriteAllText(folder.Combine("site", "uploads", "2026", "notes.txt"), string.Concat(Enumerable.Repeat("hello world ", 5000)));
        File.WriteAllBytes(folder.Combine("site", "uploads", "empty"), []);

        using var compressed = new MemoryStream();
        ArchiveResult archive;
        await using (var lzip = CompressionStreams.Compress(compressed, CompressionAlgorithm.Lzma, 6, leaveOpen: true))
            archive = await SiteArchiver.WriteAsync(folder.Combine("site"), ["uploads"], "files-00001.part", lzip, null, default);

        compressed.Position = 0;
        await using (var reader = CompressionStreams.Decompress(compressed, CompressionAlgorithm.Lzma, leaveOpen: true))
            await SiteExtractor.ExtractAsync(reader, "files-00001.part", folder.Combine("restored"), archive.Entries, null, default);

        Assert.Equal(File.ReadAllBytes(folder.Combine("site", "uploads", "photo.bin")), File.ReadAllBytes(folder.Combine("restored", "uploads", "photo.bin")));
        Assert.Equal(File.ReadAllText(folder.Combine("site", "uploads", "2026", "notes.txt")), File.ReadAllText(folder.Combine("restored", "uploads", "2026", "notes.txt")));
    }
}
