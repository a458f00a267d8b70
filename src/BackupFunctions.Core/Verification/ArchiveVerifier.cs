using System.Buffers;
using System.Formats.Tar;
using System.Security.Cryptography;
using BackupFunctions.Core.Archive;
using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Verification;

/// <summary>
/// Reads a file volume's tar without writing anything and checks it against the file index, read in step with the tar
/// (<see cref="FileIndexCursor"/>, so neither is held): every entry listed in the same order with the same type, every
/// file's size and SHA-256, nothing missing, nothing added — and the entry rules a restore applies
/// (<see cref="ArchiveEntryRules"/>: names, entry kinds, nothing below a link, link targets), so that what verifies
/// restores.
/// </summary>
internal static class ArchiveVerifier
{
    /// <summary>Returns the files (and links) and bytes checked; a mismatch throws <see cref="IntegrityException"/> naming the volume and the entry.</summary>
    /// <param name="rules">Shared by the volumes of one backup (links of one volume count for the next), as in a restore.</param>
    public static Task<ArchiveProgress> VerifyAsync(
        Stream tarInput, string volumeName, IAsyncEnumerable<FileIndexEntry> index, ArchiveEntryRules rules, CancellationToken cancellationToken)
        => VerifyAsync(tarInput, IndexGroup.Own(volumeName), index, rules, cancellationToken);

    /// <summary>
    /// As above for one group of the index: a referenced volume (of an earlier backup) is read sparsely, as a restore
    /// reads it — the entries the group lists checked in order (type, size, SHA-256, the entry rules), the others read past.
    /// </summary>
    public static async Task<ArchiveProgress> VerifyAsync(
        Stream tarInput, IndexGroup group, IAsyncEnumerable<FileIndexEntry> index, ArchiveEntryRules rules, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(group);
        var volumeName = group.Label;
        await using var cursor = new FileIndexCursor(index, group, cancellationToken);
        long files = 0, bytes = 0;
        await using (var reader = new TarReader(tarInput, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (!await cursor.ListsAsync(ArchiveEntryRules.LooseName(entry)))
                    continue;
                var (name, type) = rules.Check(entry, volumeName);
                var indexed = await cursor.NextAsync(name, type);

                if (type == FileIndexEntry.SymbolicLinkType)
                {
                    rules.AddLink(name, entry.LinkName, indexed, volumeName, written: true);
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
        await cursor.EndAsync();
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
