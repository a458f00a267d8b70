using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using BackupFunctions.Core.Compression;
using ICSharpCode.SharpZipLib.BZip2;

namespace BackupFunctions.Core.Tests.Compression;

/// <summary>
/// <see cref="CompressedContent"/> on real bytes: files made here with the BCL and the project's compression
/// libraries, real images and an xz file from tests/fixtures/compressed-content, and — for formats nothing on this
/// machine can write — the signatures their specifications give. The first 8 KiB of each are the sample, as a caller passes it.
/// </summary>
public sealed class CompressedContentTests
{
    public static TheoryData<string, string, bool> RealFiles => new()
    {
        // name the file is stored under, how its bytes were made, expected
        { "uploads/2024/photo.jpg", "python.jpg", true },
        { "uploads/2024/photo", "python.jpg", true },                   // no extension: the signature says it
        { "uploads/anim.gif", "python.gif", true },
        { "uploads/pic.webp", "python.webp", true },
        { "uploads/scan.bmp", "python.bmp", false },                    // an uncompressed bitmap compresses well
        { "uploads/logo.png", "png", true },
        { "uploads/logo.dat", "png", true },
        { "downloads/archive.zip", "zip", true },
        { "downloads/archive", "zip", true },                           // an extension-less ZIP is not compressed again
        { "docs/report.docx", "zip", true },
        { "backup.sql.gz", "gzip", true },
        { "site.tgz", "gzip", true },
        { "dump.zst", "zstd", true },
        { "data.bz2", "bzip2", true },
        { "text.xz", "text.xz", true },
        { "assets/app.js.br", "brotli", true },                         // brotli has no signature: entropy, with the extension
        { "uploads/photo.jpg", "text", false },                         // a .jpg that is really text is still compressed
        { "themes/style.css", "text", false },
        { "songs/track.mp3", "utf16-text", false },                     // FF FE (a BOM) is no MP3 frame
        { "uploads/blob", "random", true },                             // high entropy, no name: encrypted or compressed
        { "uploads/blob.jpg", "random", true },
        { "uploads/short.jpg", "random-512", false },                   // too short for the estimate, no signature
        { "uploads/empty.jpg", "empty", false },
        { "plugins/lib.dll", "assembly", false },                       // executables compress
        { "docs/manual.pdf", "pdf", true },
    };

    [Theory]
    [MemberData(nameof(RealFiles))]
    public void Classifies_real_files(string name, string content, bool expected)
    {
        var bytes = Make(content);
        var sample = bytes.AsSpan(0, Math.Min(bytes.Length, CompressedContent.SampleBytes));

        Assert.Equal(expected, CompressedContent.IsCompressed(name, sample));
    }

    public static TheoryData<string, string> Signatures => new()
    {
        // From the formats' specifications; nothing on this machine writes them.
        { "mp4 (ISO/IEC 14496-12 ftyp isom)", "0000001866747970 69736f6d 00000200 69736f6d69736f32" },
        { "mov (ftyp qt)", "0000001466747970 71742020 20050300 71742020" },
        { "heic (ftyp heic)", "0000001866747970 68656963 00000000 6d696631 68656963" },
        { "avif (ftyp avif)", "0000001c66747970 61766966 00000000 61766966 6d696631 6d696166" },
        { "webm/mkv (EBML)", "1a45dfa3 9f4286810142f7810142f2810442f381084282847765626d" },
        { "ogg/opus (OggS)", "4f676753 0002 0000000000000000" },
        { "flac", "664c6143 000000221200120000" },
        { "mp3 (ID3v2.4)", "494433 0400 00000000 0f" },
        { "aac (ADTS)", "fff1 5080 2b7f fc" },
        { "7z", "377abcaf271c 0004" },
        { "rar 5", "526172211a0701 00" },
        { "woff", "774f4646 00010000" },
        { "woff2", "774f4632 00010000" },
        { "lz4 frame", "04224d18 6440a7" },
        { "lzip", "4c5a4950 01 0c" },
    };

    [Theory]
    [MemberData(nameof(Signatures))]
    public void Recognises_signatures_of_compressed_formats(string format, string hex)
    {
        var sample = new byte[64];
        Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal)).CopyTo(sample, 0);

        Assert.True(CompressedContent.HasCompressedSignature(sample), format);
        Assert.True(CompressedContent.IsCompressed("no-extension", sample), format);
    }

    [Theory]
    [InlineData("uploads/2024/IMG_0001.JPG", true)]
    [InlineData("uploads/video.MP4", true)]
    [InlineData("fonts/inter.woff2", true)]
    [InlineData("docs/sheet.xlsx", true)]
    [InlineData("backups/site.tar.gz", true)]
    [InlineData("site.tgz", true)]
    [InlineData("C:\\site\\logo.png", true)]
    [InlineData("themes/style.css", false)]
    [InlineData("index.php", false)]
    [InlineData("site.tar", false)]
    [InlineData(".jpg", false)]                 // a hidden file named ".jpg" has no extension
    [InlineData("jpg", false)]
    [InlineData("file.", false)]
    [InlineData("photos.jpg/readme.txt", false)] // the folder's extension is not the file's
    public void Knows_compressed_extensions(string path, bool expected) =>
        Assert.Equal(expected, CompressedContent.HasCompressedExtension(path));

    [Fact]
    public void Entropy_is_near_8_for_random_bytes_and_low_for_text()
    {
        Assert.Equal(0, CompressedContent.EntropyBitsPerByte([]));
        Assert.Equal(0, CompressedContent.EntropyBitsPerByte(new byte[100]));
        Assert.Equal(1, CompressedContent.EntropyBitsPerByte([0, 1, 0, 1]), 6);
        Assert.InRange(CompressedContent.EntropyBitsPerByte(Make("random").AsSpan(0, CompressedContent.SampleBytes)), 7.9, 8);
        Assert.InRange(CompressedContent.EntropyBitsPerByte(Make("text").AsSpan(0, CompressedContent.SampleBytes)), 3, 5.5);
    }

    private static byte[] Make(string content) => content switch
    {
        "png" => Png(),
        "zip" => Zip(),
        "gzip" => Compress(s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true)),
        "brotli" => Compress(s => new BrotliStream(s, CompressionLevel.Optimal, leaveOpen: true)),
        "zstd" => Compress(s => new ZstdSharp.CompressionStream(s, 3, leaveOpen: true)),
        "bzip2" => Compress(s => new BZip2OutputStream(s) { IsStreamOwner = false }),
        "text" => Text(),
        "utf16-text" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(Text()))],
        "random" => RandomNumberGenerator.GetBytes(64 * 1024),
        "random-512" => RandomNumberGenerator.GetBytes(512),
        "empty" => [],
        "assembly" => File.ReadAllBytes(typeof(CompressedContent).Assembly.Location),
        "pdf" => Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"),
        _ => File.ReadAllBytes(Path.Combine(FixtureFolder(), content)),
    };

    /// <summary>About 100 KiB of CMS-like text: varied words (a fixed seed), so that its compressed form is not trivially short.</summary>
    private static byte[] Text()
    {
        string[] words = ["the", "post", "category", "<p>", "</p>", "wp-content", "uploads", "image", "gallery", "lorem", "ipsum", "dolor",
            "sit", "amet", "consectetur", "adipiscing", "elit", "sed", "do", "eiusmod", "tempor", "2024", "author", "comment", "reply"];
        var random = new Random(14);
        var text = new StringBuilder();
        while (text.Length < 100 * 1024)
            text.Append(words[random.Next(words.Length)]).Append(random.Next(10) == 0 ? ".\n" : " ").Append(random.Next(1000) == 0 ? random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture) : "");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static byte[] Compress(Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
            stream.Write(Text());
        return output.ToArray();
    }

    private static byte[] Zip()
    {
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = zip.CreateEntry("word/document.xml").Open();
            entry.Write(Text());
        }
        return output.ToArray();
    }

    /// <summary>A real 16×16 RGB PNG: signature, IHDR, one zlib IDAT, IEND, each with its CRC-32.</summary>
    private static byte[] Png()
    {
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < 16; y++)
            {
                zlib.WriteByte(0); // filter: none
                for (var x = 0; x < 16; x++)
                    zlib.Write([(byte)(x * 16), (byte)(y * 16), 0xCC]);
            }
        }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", [0, 0, 0, 16, 0, 0, 0, 16, 8, 2, 0, 0, 0]);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();

        static void Chunk(Stream png, string type, byte[] data)
        {
            byte[] typeAndData = [.. Encoding.ASCII.GetBytes(type), .. data];
            png.Write([(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length]);
            png.Write(typeAndData);
            var crc = Crc32(typeAndData);
            png.Write([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
        }

        // PNG's CRC-32 (ISO 3309), bitwise: a test helper; no hashing package is referenced for this alone.
        static uint Crc32(byte[] bytes)
        {
            var crc = 0xFFFFFFFFu;
            foreach (var b in bytes)
            {
                crc ^= b;
                for (var k = 0; k < 8; k++)
                    crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
            return ~crc;
        }
    }

    private static string FixtureFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "fixtures", "compressed-content");
            if (Directory.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException($"tests/fixtures/compressed-content not found above {AppContext.BaseDirectory}");
    }
}
