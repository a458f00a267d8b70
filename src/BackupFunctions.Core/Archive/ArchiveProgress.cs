namespace BackupFunctions.Core.Archive;

/// <summary>Files and bytes archived or extracted so far.</summary>
public readonly record struct ArchiveProgress(long Files, long Bytes)
{
    /// <summary>
    /// A progress for work that comes after <paramref name="before"/> (an earlier volume, an earlier place): what it
    /// reports is passed on to <paramref name="progress"/> added to <paramref name="before"/>, on the reporting thread
    /// (<see cref="Progress{T}"/> would post to the thread pool, out of order). Null when <paramref name="progress"/> is.
    /// </summary>
    public static IProgress<ArchiveProgress>? After(ArchiveProgress before, IProgress<ArchiveProgress>? progress)
        => progress is null ? null : new Offset(before, progress);

    private sealed class Offset(ArchiveProgress before, IProgress<ArchiveProgress> progress) : IProgress<ArchiveProgress>
    {
        public void Report(ArchiveProgress value) => progress.Report(new ArchiveProgress(before.Files + value.Files, before.Bytes + value.Bytes));
    }
}
