namespace BackupFunctions.Core.Archive;

/// <summary>
/// Safe extraction of a site tar: entries that would escape the target (absolute paths, "..", anything below a
/// symbolic link) are refused, every file's SHA-256 is checked against the index, and nothing appears in the target
/// until the whole archive has been extracted and checked (staging folder beside the target, then moved into place).
/// Symbolic links are restored as they were stored, also those that point out of the target; nothing is ever written
/// through one. For several volumes into one target, or to learn which links point out
/// (<see cref="SiteExtraction.OutsideLinks"/>), use <see cref="SiteExtraction"/> directly.
/// </summary>
public static class SiteExtractor
{
    /// <summary>
    /// Extracts into <paramref name="targetDirectory"/>, which must not exist or be empty. On any failure the target is
    /// left as it was and the staging folder is removed; an index mismatch throws
    /// <see cref="Format.IntegrityException"/> naming <paramref name="volumeName"/> and the file.
    /// </summary>
    public static Task<ArchiveProgress> ExtractAsync(
        Stream tarInput,
        string volumeName,
        string targetDirectory,
        IReadOnlyList<FileIndexEntry> index,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
        => ExtractAsync(tarInput, volumeName, targetDirectory, index, include: null, progress, cancellationToken);

    /// <summary>
    /// As <see cref="ExtractAsync(Stream, string, string, IReadOnlyList{FileIndexEntry}, IProgress{ArchiveProgress}?, CancellationToken)"/>,
    /// writing only the entries whose '/'-separated path <paramref name="include"/> accepts and the folders above them
    /// (null: everything). Skipped entries are still checked against the index.
    /// </summary>
    public static Task<ArchiveProgress> ExtractAsync(
        Stream tarInput,
        string volumeName,
        string targetDirectory,
        IReadOnlyList<FileIndexEntry> index,
        Func<string, bool>? include,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        return ExtractAsync(tarInput, volumeName, targetDirectory, index.ToAsyncEnumerable(), include, progress, cancellationToken);
    }

    /// <summary>
    /// As above, reading the index in step with the tar (e.g. <see cref="FileIndex.ReadEntriesAsync"/>) instead of
    /// holding it: memory stays flat however many files the volume has. The index lists the volume's entries in tar
    /// order, as the backup writes them; it is read to its end before the target appears.
    /// </summary>
    public static async Task<ArchiveProgress> ExtractAsync(
        Stream tarInput,
        string volumeName,
        string targetDirectory,
        IAsyncEnumerable<FileIndexEntry> index,
        Func<string, bool>? include,
        IProgress<ArchiveProgress>? progress,
        CancellationToken cancellationToken)
    {
        using var extraction = SiteExtraction.Begin(targetDirectory);
        var extracted = await extraction.AddVolumeAsync(tarInput, volumeName, index, include, progress, cancellationToken);
        extraction.Complete();
        return extracted;
    }
}
