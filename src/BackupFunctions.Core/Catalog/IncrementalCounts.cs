using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Catalog;

/// <summary>
/// An incremental backup's comparison with its base, as the API shows it on a backup and a job: every count, zeros
/// included (the manifest's statistics leave zeros out).
/// </summary>
public sealed record IncrementalCounts(long AddedFiles, long ModifiedFiles, long UnchangedFiles, long DeletedFiles)
{
    /// <summary>The counts <paramref name="statistics"/> records.</summary>
    public static IncrementalCounts Of(BackupStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        return new IncrementalCounts(statistics.AddedFiles, statistics.ModifiedFiles, statistics.UnchangedFiles, statistics.DeletedFiles);
    }
}
