namespace BackupFunctions.Core.Catalog;

/// <summary>The words of <see cref="JobStatus"/> as the API, the catalog and the metrics spell them (pending, running, …).</summary>
public static class JobStatusWords
{
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<JobStatus>().Select(Of)];

    public static string Of(JobStatus status) => status switch
    {
        JobStatus.Pending => "pending",
        JobStatus.Running => "running",
        JobStatus.Completed => "completed",
        JobStatus.CompletedWithWarnings => "completed_with_warnings",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        JobStatus.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown job status."),
    };

    /// <summary>The status a word names; false for anything else (case matters, as stored).</summary>
    public static bool TryParse(string? word, out JobStatus status)
    {
        foreach (var candidate in Enum.GetValues<JobStatus>())
        {
            if (Of(candidate) == word)
            {
                status = candidate;
                return true;
            }
        }
        status = default;
        return false;
    }
}
