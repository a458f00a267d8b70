using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;

namespace BackupFunctions.Tests.Support;

/// <summary>Checks a backup's volumes as stored, with the low-level readers only (no restore code in between).</summary>
public static class StoredVolumes
{
    /// <summary>
    /// Each volume is a standalone tar holding exactly its index entries, in the index's order, with the index's
    /// hashes; together the volumes hold exactly the <paramref name="expected"/> files with those bytes.
    /// </summary>
    public static async Task AssertHoldExactlyAsync(
        IReadOnlyList<FileIndexEntry> index, IEnumerable<string> volumes, IReadOnlyDictionary<string, byte[]> stored,
        IReadOnlyDictionary<string, byte[]> expected)
    {
        var seen = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var volume in volumes)
        {
            var listed = index.Where(e => e.Volume == volume).ToList();
            using var tar = new TarReader(new MemoryStream(stored[volume]));
            var position = 0;
            while (await tar.GetNextEntryAsync(copyData: true) is { } entry)
            {
                var indexed = listed[position++];
                Assert.Equal(indexed.Path, entry.Name.TrimEnd('/'));
                if (entry.EntryType == TarEntryType.RegularFile)
                {
                    using var content = new MemoryStream();
                    await entry.DataStream!.CopyToAsync(content);
                    Assert.Equal(indexed.Sha256, Convert.ToHexStringLower(SHA256.HashData(content.ToArray())));
                    seen[indexed.Path] = content.ToArray();
                }
            }
            Assert.Equal(listed.Count, position);
        }
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), seen.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal(e.Value, seen[e.Key]));
    }
}
