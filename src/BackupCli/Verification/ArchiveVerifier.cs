using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupCli.Verification;

/// <summary>
/// Reads a file volume's tar without writing anything and checks it against the file index: every entry listed with
/// the same type, every file's size and SHA-256, nothing missing, nothing twice.
/// </summary>
internal static class ArchiveVerifier
{
    /// <summary>Returns the files (and links) and bytes checked; a mismatch throws <see cref="IntegrityException"/> naming the volume and the entry.</summary>
    public static async Task<ArchiveProgress> VerifyAsync(
        Stream tarInput, string volumeName, IReadOnlyList<FileIndexEntry> index, CancellationToken cancellationToken)
    {
        var expected = new Dictionary<string, FileIndexEntry>(StringComparer.Ordinal);
        foreach (var entry in index.Where(e => e.Volume == volumeName))
        {
            if (!expected.TryAdd(entry.Path, entry))
                throw new IntegrityException(volumeName, $"{entry.Path}: listed twice in the index");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        long files = 0, bytes = 0;
        await using (var reader = new TarReader(tarInput, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var (name, type) = entry.EntryType switch
                {
                    TarEntryType.Directory => (entry.Name.TrimEnd('/'), FileIndexEntry.DirectoryType),
                    TarEntryType.RegularFile or TarEntryType.V7RegularFile => (entry.Name, FileIndexEntry.FileType),
                    TarEntryType.SymbolicLink => (entry.Name, FileIndexEntry.SymbolicLinkType),
                    _ => throw new IntegrityException(volumeName, $"{entry.Name}: {entry.EntryType} entries are not allowed"),
                };
                if (!seen.Add(name))
                    throw new IntegrityException(volumeName, $"{name}: appears twice in the archive");
                if (!expected.TryGetValue(name, out var indexed))
                    throw new IntegrityException(volumeName, $"{name}: in the archive but not in the index");
                if (indexed.Type != type)
                    throw new IntegrityException(volumeName, $"{name}: is a {type} in the archive but a {indexed.Type} in the index");

                if (type == FileIndexEntry.SymbolicLinkType)
                {
                    if (indexed.LinkTarget is not null && indexed.LinkTarget != entry.LinkName)
                        throw new IntegrityException(volumeName, $"{name}: symbolic link target differs from the index");
                    files++;
                }
                else if (type == FileIndexEntry.FileType)
                {
                    bytes += await CheckFileAsync(entry, name, indexed, volumeName, cancellationToken);
                    files++;
                }
            }
        }

        // Whatever follows the end-of-archive marker is read too, so the decrypting stream below checks the part's end.
        await tarInput.CopyToAsync(Stream.Null, cancellationToken);

        var missing = expected.Keys.Where(path => !seen.Contains(path)).Order(StringComparer.Ordinal).FirstOrDefault();
        if (missing is not null)
            throw new IntegrityException(volumeName, $"{missing}: in the index but missing from the archive");
        return new ArchiveProgress(files, bytes);
    }

    private static async Task<long> CheckFileAsync(
        TarEntry entry, string name, FileIndexEntry indexed, string volumeName, CancellationToken cancellationToken)
    {
        if (entry.Length != indexed.Size)
            throw new IntegrityException(volumeName, $"{name}: {entry.Length} bytes in the archive, {indexed.Size} in the index");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long read = 0;
        if (entry.DataStream is { } data)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(128 * 1024);
            try
            {
                int n;
                while ((n = await data.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    read += n;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (read != indexed.Size)
            throw new IntegrityException(volumeName, $"{name}: {read} bytes read, {indexed.Size} in the index");
        if (!string.Equals(actual, indexed.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new IntegrityException(volumeName, $"{name}: SHA-256 does not match the index");
        return read;
    }
}
