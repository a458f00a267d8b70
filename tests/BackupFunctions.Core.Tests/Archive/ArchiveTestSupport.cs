using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;

namespace BackupFunctions.Core.Tests.Archive;

/// <summary>Hand-made tars (including hostile ones) with a matching index, for extraction tests.</summary>
internal sealed class TarBuilder
{
    public const string Volume = "files-00001.part";

    private readonly MemoryStream _tar = new();
    private readonly TarWriter _writer;

    public TarBuilder() => _writer = new TarWriter(_tar, TarEntryFormat.Pax, leaveOpen: true);

    public List<FileIndexEntry> Index { get; } = [];

    public TarBuilder Directory(string name)
    {
        _writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, name + "/") { Mode = (UnixFileMode)0b111_101_101 });
        Index.Add(new FileIndexEntry(name, FileIndexEntry.DirectoryType, 0, DateTimeOffset.UnixEpoch, 0b111_101_101, null, Volume));
        return this;
    }

    public TarBuilder File(string name, byte[] content)
    {
        _writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { Mode = (UnixFileMode)0b110_100_100, DataStream = new MemoryStream(content) });
        Index.Add(new FileIndexEntry(
            name, FileIndexEntry.FileType, content.Length, DateTimeOffset.UnixEpoch, 0b110_100_100, Convert.ToHexStringLower(SHA256.HashData(content)), Volume));
        return this;
    }

    public TarBuilder Link(string name, string target, TarEntryType type = TarEntryType.SymbolicLink)
    {
        _writer.WriteEntry(new PaxTarEntry(type, name) { LinkName = target });
        Index.Add(new FileIndexEntry(name, FileIndexEntry.SymbolicLinkType, 0, DateTimeOffset.UnixEpoch, 0b111_111_111, null, Volume));
        return this;
    }

    public MemoryStream Build()
    {
        _writer.Dispose();
        _tar.Position = 0;
        return _tar;
    }
}

/// <summary>Records progress reports synchronously (Progress&lt;T&gt; would post them to the thread pool).</summary>
internal sealed class ProgressLog : IProgress<ArchiveProgress>
{
    public List<ArchiveProgress> Reports { get; } = [];

    public void Report(ArchiveProgress value) => Reports.Add(value);
}
