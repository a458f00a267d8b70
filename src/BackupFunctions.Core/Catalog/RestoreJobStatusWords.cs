namespace BackupFunctions.Core.Catalog;

/// <summary>The words of <see cref="RestoreJobStatus"/> as the API and the catalog spell them (pending, …, rolled_back).</summary>
public static class RestoreJobStatusWords
{
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<RestoreJobStatus>().Select(Of)];

    public static string Of(RestoreJobStatus status) => status switch
    {
        RestoreJobStatus.Pending => "pending",
        RestoreJobStatus.Running => "running",
        RestoreJobStatus.Completed => "completed",
        RestoreJobStatus.Failed => "failed",
        RestoreJobStatus.Cancelled => "cancelled",
        RestoreJobStatus.RolledBack => "rolled_back",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "Unknown restore job status."),
    };

    /// <summary>The status a word names; false for anything else (case matters, as stored).</summary>
    public static bool TryParse(string? word, out RestoreJobStatus status)
    {
        foreach (var candidate in Enum.GetValues<RestoreJobStatus>())
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
