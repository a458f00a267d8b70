namespace BackupFunctions.Core.Archive;

/// <summary>How big a file volume may grow: content bytes and entries (folders, files and links).</summary>
/// <remarks>
/// A file bigger than <see cref="MaxBytes"/> is not split: it gets a volume of its own. Tar headers are not counted,
/// so a volume of many small files is somewhat bigger than its content; the entry cap bounds that too.
/// </remarks>
public sealed record VolumeLimits(long MaxBytes, int MaxEntries)
{
    public const int DefaultSizeMiB = 256;
    public const int DefaultMaxEntries = 50_000;

    public static VolumeLimits Default { get; } = new((long)DefaultSizeMiB * 1024 * 1024, DefaultMaxEntries);
}
