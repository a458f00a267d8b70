using System.Buffers.Binary;

namespace BackupFunctions.Core.Compression;

/// <summary>
/// Decides whether a file's content is already compressed (media, archives, web fonts, office documents…), so that
/// the backup can store it without compressing it again. Compressing already-compressed data costs CPU (on a CMS
/// the media library is most of the bytes: a zstd or brotli pass over 50 GB of JPEG and MP4) and saves nothing —
/// often the output is a few bytes <em>larger</em> — so such files go into volumes stored with compression
/// <c>none</c>. A pure function of the name and the first bytes: no I/O, no state.
/// </summary>
/// <remarks>
/// The decision uses the first <see cref="SampleBytes"/> bytes when the caller has them, and the extension alone
/// when it has not (a planner that only walks metadata):
/// <list type="number">
/// <item>A known signature (magic number) of a compressed format at the start (JPEG, PNG, GIF, WebP, ISO media —
///   MP4/MOV/HEIC/AVIF/M4A —, Matroska/WebM, Ogg, FLAC, ID3-tagged MP3, AAC ADTS, ZIP and its containers — DOCX,
///   XLSX, ODT, JAR, APK, EPUB —, gzip, bzip2, xz, zstd, lzip, LZ4, 7-Zip, RAR, WOFF, WOFF2, PDF) → compressed,
///   whatever the name says: an extension-less ZIP is not compressed again.</item>
/// <item>Otherwise the sample's byte entropy (Shannon, bits per byte over a histogram, one pass): compressed data
///   is close to 8; text is 4–5, executables and databases 5–6.5. At or above <see cref="KnownExtensionEntropy"/> for a
///   name with a compressed extension (an MP3 without ID3 tag, a brotli <c>.br</c>, which has no signature), at or
///   above <see cref="UnknownExtensionEntropy"/> for any other name (encrypted or compressed blobs without a
///   telling name) → compressed. So a <c>.jpg</c> that is really text is still compressed.</item>
/// <item>Samples under <see cref="MinEntropySample"/> bytes are too short for the estimate (it is biased low): only a
///   signature counts. An empty file is never "compressed".</item>
/// </list>
/// A wrong "compressed" costs the compression of one file; a wrong "compressible" costs one futile compression pass;
/// neither affects what is restored.
/// </remarks>
public static class CompressedContent
{
    /// <summary>How many leading bytes of a file the caller should pass as the sample (fewer when the file is shorter).</summary>
    public const int SampleBytes = 8192;

    /// <summary>Below this many sample bytes the entropy estimate is not used (a 256-byte sample of random data estimates about 7.2 bits).</summary>
    public const int MinEntropySample = 1024;

    /// <summary>Entropy (bits per byte) from which a file with a compressed extension but no signature counts as compressed.</summary>
    public const double KnownExtensionEntropy = 7.2;

    /// <summary>Entropy (bits per byte) from which any other file counts as compressed: random bytes estimate ≈ 7.97 over 8 KiB.</summary>
    public const double UnknownExtensionEntropy = 7.8;

    // Lowercase, without the dot. Formats whose payload is compressed by design; PDF's streams almost always are.
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        // images
        "jpg", "jpeg", "jpe", "jfif", "png", "apng", "gif", "webp", "avif", "heic", "heif", "jxl", "jp2",
        // video
        "mp4", "m4v", "mov", "webm", "mkv", "avi", "wmv", "flv", "3gp", "3g2", "mpg", "mpeg", "ts", "ogv",
        // audio
        "mp3", "aac", "m4a", "ogg", "oga", "opus", "flac", "wma",
        // archives and compressed streams
        "zip", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "tzst", "lz", "lz4", "lzma", "br", "7z", "rar", "cab", "zipx",
        // zip containers: office documents, packages, e-books
        "docx", "xlsx", "pptx", "odt", "ods", "odp", "jar", "war", "apk", "ipa", "epub", "xpi", "nupkg", "whl",
        // fonts and documents
        "woff", "woff2", "pdf",
    };

    /// <summary>Whether the name alone says compressed content (the extension after the last dot, case-insensitive).</summary>
    public static bool HasCompressedExtension(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = path.AsSpan(path.LastIndexOfAny(['/', '\\']) + 1);
        var dot = name.LastIndexOf('.');
        return dot > 0 && dot < name.Length - 1
            && Extensions.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name[(dot + 1)..]);
    }

    /// <summary>
    /// Whether the file named <paramref name="path"/> whose first bytes are <paramref name="sample"/> (up to
    /// <see cref="SampleBytes"/>; the whole file when shorter) is already compressed (see the remarks of the class).
    /// </summary>
    public static bool IsCompressed(string path, ReadOnlySpan<byte> sample)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (sample.IsEmpty)
            return false;
        if (HasCompressedSignature(sample))
            return true;
        if (sample.Length < MinEntropySample)
            return false;
        var entropy = EntropyBitsPerByte(sample[..Math.Min(sample.Length, SampleBytes)]);
        return entropy >= (HasCompressedExtension(path) ? KnownExtensionEntropy : UnknownExtensionEntropy);
    }

    // Signatures at offset 0 (from the formats' specifications). ISO media, WebP and bzip2 need more than a prefix: below.
    private static readonly byte[][] Prefixes =
    [
        [0xFF, 0xD8, 0xFF],                                     // JPEG (SOI + a marker)
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A],       // PNG
        "GIF87a"u8.ToArray(), "GIF89a"u8.ToArray(),
        [0x1A, 0x45, 0xDF, 0xA3],                               // Matroska, WebM (EBML)
        "OggS"u8.ToArray(),                                     // Ogg: Vorbis, Opus, Theora
        "fLaC"u8.ToArray(),
        "ID3"u8.ToArray(),                                      // MP3 with an ID3v2 tag (bare MP3 frames: by entropy)
        [0xFF, 0xF1], [0xFF, 0xF9],                             // AAC in ADTS frames (MPEG-4, MPEG-2)
        [0x50, 0x4B, 0x03, 0x04],                               // ZIP and zip containers
        [0x50, 0x4B, 0x05, 0x06],                               // empty ZIP
        [0x50, 0x4B, 0x07, 0x08],                               // spanned ZIP
        [0x1F, 0x8B, 0x08],                                     // gzip (deflate)
        [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],                   // xz
        [0x28, 0xB5, 0x2F, 0xFD],                               // zstd frame
        "LZIP"u8.ToArray(),
        [0x04, 0x22, 0x4D, 0x18],                               // LZ4 frame
        [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C],                   // 7-Zip
        [0x52, 0x61, 0x72, 0x21, 0x1A, 0x07],                   // RAR 4 and 5 ("Rar!")
        "wOFF"u8.ToArray(), "wOF2"u8.ToArray(),                 // WOFF, WOFF2
        "%PDF-"u8.ToArray(),                                    // PDF: its page and image streams are almost always compressed
    ];

    /// <summary>Whether <paramref name="sample"/> starts with the signature of a compressed format.</summary>
    public static bool HasCompressedSignature(ReadOnlySpan<byte> sample)
    {
        foreach (var prefix in Prefixes)
        {
            if (sample.StartsWith(prefix))
                return true;
        }
        return (sample.Length >= 12 && sample.StartsWith("RIFF"u8) && sample[8..12].SequenceEqual("WEBP"u8))
            // ISO base media (MP4, MOV, HEIC, AVIF, M4A, 3GP): a box of at least 8 bytes whose type is ftyp.
            || (sample.Length >= 12 && sample[4..8].SequenceEqual("ftyp"u8) && BinaryPrimitives.ReadUInt32BigEndian(sample) >= 8)
            || (sample.Length >= 4 && sample.StartsWith("BZh"u8) && sample[3] is >= (byte)'1' and <= (byte)'9');
    }

    /// <summary>Shannon entropy of the bytes of <paramref name="sample"/>, in bits per byte (0 … 8); 0 for an empty sample.</summary>
    public static double EntropyBitsPerByte(ReadOnlySpan<byte> sample)
    {
        if (sample.IsEmpty)
            return 0;
        Span<int> counts = stackalloc int[256];
        foreach (var b in sample)
            counts[b]++;
        double entropy = 0;
        double total = sample.Length;
        foreach (var count in counts)
        {
            if (count == 0)
                continue;
            var p = count / total;
            entropy -= p * Math.Log2(p);
        }
        return entropy;
    }
}
