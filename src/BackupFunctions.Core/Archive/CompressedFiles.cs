using BackupFunctions.Core.Compression;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Which files of a site the planner puts into volumes of their own, stored with compression <c>none</c>
/// (issue 14 item 3): those <see cref="CompressedContent"/> calls already compressed.
/// </summary>
/// <remarks>
/// <para>A file of at least <see cref="SampleFromBytes"/> is judged by its first <see cref="CompressedContent.SampleBytes"/>
/// bytes, read through the <see cref="ISiteSource"/> (never the local file system, so a remote source works the same):
/// one small read per big file, which finds the extension-less media of a CMS that stores uploads under hashed names
/// and the <c>.jpg</c> that is really text. A smaller file is judged by its extension alone: what a wrong guess costs
/// is bounded by its size, while a read per file would cost a round trip per file on a remote source and dominate a
/// plan of many small files.</para>
/// <para>A file that cannot be read now (gone, replaced, refused) is judged by its extension; the archiver reports it
/// when it reads it. Either way the guess decides only how a volume is compressed, never what is restored.</para>
/// </remarks>
public static class CompressedFiles
{
    /// <summary>Files of at least this many bytes are sampled through the source; smaller ones are judged by extension.</summary>
    public const long SampleFromBytes = 64 * 1024;

    /// <summary>The planner's predicate (<see cref="VolumePlanner"/>'s <c>separate</c>) for <paramref name="source"/>.</summary>
    public static Func<SiteEntry, bool> Separator(ISiteSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var sample = new byte[CompressedContent.SampleBytes];
        // The planner enumerates on one thread, so one buffer serves every sample.
        return entry => IsCompressed(source, entry, sample);
    }

    /// <summary>Whether <paramref name="entry"/>, a file of <paramref name="source"/>, is already compressed.</summary>
    public static bool IsCompressed(ISiteSource source, SiteEntry entry)
        => IsCompressed(source, entry, new byte[CompressedContent.SampleBytes]);

    private static bool IsCompressed(ISiteSource source, SiteEntry entry, byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Type != FileIndexEntry.FileType || entry.Size == 0)
            return false;
        if (entry.Size < SampleFromBytes)
            return CompressedContent.HasCompressedExtension(entry.Path);
        var read = ReadSample(source, entry.Path, buffer);
        return read < 0
            ? CompressedContent.HasCompressedExtension(entry.Path)
            : CompressedContent.IsCompressed(entry.Path, buffer.AsSpan(0, read));
    }

    /// <summary>Bytes read into <paramref name="buffer"/> from the file's start; -1 when it cannot be read now.</summary>
    private static int ReadSample(ISiteSource source, string path, byte[] buffer)
    {
        try
        {
            using var file = source.OpenFile(path);
            if (file is null)
                return -1;
            using var content = file.OpenRead();
            return content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
